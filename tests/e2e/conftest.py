"""Fixtures of the browser tests: a migrated schema and topics of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import Topics, declare_topics, ensure_topics
from mediawatch_store import upgrade


@pytest.fixture
def schema(database_url: str) -> Iterator[str]:
    """A fresh, migrated schema (migrated before any service starts), dropped afterwards."""
    name = f"test_e2e_{uuid.uuid4().hex[:10]}"
    upgrade(database_url, name)
    yield name
    with psycopg.connect(database_url) as conn:
        conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    """Every topic under a unique prefix, one partition each; deleted afterwards."""
    declared = declare_topics(f"test.e2e.{uuid.uuid4().hex[:10]}", partitions=1)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics([s.name for s in declared.all()]).values():
        future.result()
