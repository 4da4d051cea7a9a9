"""The internal topics the aggregator creates before Faust's consumer subscribes."""

from __future__ import annotations

import pytest

from mediawatch_aggregator.runtime.internal_topics import internal_topics
from mediawatch_aggregator.settings import load_aggregator_settings

pytestmark = pytest.mark.unit


def test_batches_and_changelog_match_what_faust_would_create() -> None:
    agg = load_aggregator_settings({"AGGREGATOR_APP_ID": "agg-x", "AGGREGATOR_PARTITIONS": "5"})
    batches, changelog = internal_topics(agg, replication_factor=3, min_insync_replicas=2)
    assert (batches.topic, changelog.topic) == ("agg-x-stage-batches", "agg-x-state-changelog")
    assert {batches.num_partitions, changelog.num_partitions} == {5}
    assert {batches.replication_factor, changelog.replication_factor} == {3}
    assert batches.config == {
        "cleanup.policy": "delete",
        "retention.ms": str(7 * 24 * 3600 * 1000),
        "min.insync.replicas": "2",
    }
    assert changelog.config == {"cleanup.policy": "compact", "min.insync.replicas": "2"}
