"""Fixtures of the health reporter's tests: a unique topic set per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import Topics, declare_topics, ensure_topics


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    """Every topic under a unique prefix, one partition each; deleted afterwards."""
    declared = declare_topics(f"test.health.{uuid.uuid4().hex[:10]}", partitions=1)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics(
        [t.name for t in declared.all()], operation_timeout=30
    ).values():
        future.result()


def prefix_of(topics: Topics) -> str:
    """The topic prefix ``topics`` were declared with."""
    return topics.jobs.name.rsplit(".", 1)[0]
