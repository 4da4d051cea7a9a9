"""The Faust app's internal topics, created before its consumer subscribes.

A topic Faust creates itself may be missing from its consumer's first metadata and then stay
unassigned for minutes; created beforehand, with the configuration Faust gives it, it is not.
"""

from __future__ import annotations

from confluent_kafka.cimpl import NewTopic

from mediawatch_aggregator.settings import AggregatorSettings

BATCHES_RETENTION_MS = 7 * 24 * 3600 * 1000
STATE_TABLE = "state"
"""Name of the Faust table of panes and stage meta records."""


def batches_topic(app_id: str) -> str:
    """Name of the internal topic of stage batches and progress reports."""
    return f"{app_id}-stage-batches"


def changelog_topic(app_id: str, table: str = STATE_TABLE) -> str:
    """Name of the changelog topic of a Faust table."""
    return f"{app_id}-{table}-changelog"


def internal_topics(
    agg: AggregatorSettings, replication_factor: int, min_insync_replicas: int
) -> list[NewTopic]:
    """The stage batches topic (deleted after 7 days) and the compacted state changelog."""
    isr = str(min_insync_replicas)
    return [
        NewTopic(
            batches_topic(agg.app_id),
            num_partitions=agg.partitions,
            replication_factor=replication_factor,
            config={
                "cleanup.policy": "delete",
                "retention.ms": str(BATCHES_RETENTION_MS),
                "min.insync.replicas": isr,
            },
        ),
        NewTopic(
            changelog_topic(agg.app_id),
            num_partitions=agg.partitions,
            replication_factor=replication_factor,
            config={"cleanup.policy": "compact", "min.insync.replicas": isr},
        ),
    ]
