"""Fixtures of the alerter's integration tests: a unique topic set, a webhook receiver."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import Topics, declare_topics, ensure_topics
from mediawatch_common.settings import Settings, load_settings
from tests.integration.notifier.conftest import receiver  # noqa: F401 - a fixture, found by name


@pytest.fixture
def isolated(settings: Settings, admin: AdminClient) -> Iterator[tuple[Settings, Topics]]:
    """Settings with a unique topic prefix, and those topics created (deleted afterwards)."""
    prefix = f"test.alerter.{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers}
    env["KAFKA_TOPIC_PREFIX"] = prefix
    env["LOG_CONSOLE"] = "false"
    topics = declare_topics(prefix, partitions=1)
    ensure_topics(admin, topics.all(), 1, 1)
    yield load_settings(env), topics
    for future in admin.delete_topics(
        [t.name for t in topics.all()], operation_timeout=30
    ).values():
        future.result()
