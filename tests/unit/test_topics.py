from __future__ import annotations

import pytest

from mediawatch_common.kafka import FOREVER, declare_topics

pytestmark = pytest.mark.unit


def test_event_stores_keep_history_forever() -> None:
    topics = declare_topics()
    assert topics.pipeline.retention_ms == FOREVER
    assert topics.alerts.retention_ms == FOREVER
    assert topics.pipeline.config(2)["retention.ms"] == "-1"
    assert topics.pipeline.config(2)["min.insync.replicas"] == "2"


def test_names_follow_the_prefix_and_are_unique() -> None:
    names = [t.name for t in declare_topics("acme").all()]
    assert len(set(names)) == len(names) == 7
    assert all(name.startswith("acme.") for name in names)
    assert "acme.deadletter" in names


def test_partition_override() -> None:
    assert {t.partitions for t in declare_topics(partitions=1).all()} == {1}
