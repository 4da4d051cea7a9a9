"""Every declared topic under a prefix of one test's own, deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import Topics, declare_topics, ensure_topics


@contextmanager
def unique_topics(admin: AdminClient, label: str, partitions: int = 1) -> Iterator[Topics]:
    """Create every topic of ``<label>.<random>``; delete them, and any topic an app created
    under the same prefix (Faust changelogs), when the block ends."""
    prefix = f"{label}.{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=partitions)
    ensure_topics(admin, topics.all(), 1, 1)
    try:
        yield topics
    finally:
        names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        for future in admin.delete_topics(names, operation_timeout=30).values():
            with suppress(Exception):
                future.result()


def prefix_of(topics: Topics) -> str:
    """The ``KAFKA_TOPIC_PREFIX`` of ``topics``."""
    return topics.jobs.name.removesuffix(".jobs")
