"""Consumer lag per consumer group: the log end offsets minus each group's committed ones."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.health.results import CheckResult
from mediawatch_common.kafka.connection import Connection, client_properties

log = logging.getLogger(__name__)

Partitions = dict[tuple[str, int], int]

QUIET = {"log_level": 4}
"""librdkafka's own notices (e.g. purged background events when a client closes, every run)
stay out of the process's stderr; warnings and errors still show."""


def high_watermarks(bootstrap: Connection, topics: Sequence[str], timeout: float) -> Partitions:
    """The log end offset of every partition of ``topics`` that exists."""
    consumer = Consumer(
        {
            **client_properties(bootstrap),
            "group.id": "mediawatch-health",
            "enable.auto.commit": False,
            **QUIET,
        }
    )
    try:
        metadata = consumer.list_topics(timeout=timeout)
        return {
            (topic, partition): consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=timeout
            )[1]
            for topic in topics
            if (found := metadata.topics.get(topic)) is not None
            for partition in found.partitions
        }
    finally:
        consumer.close()


def committed_lags(bootstrap: Connection, highs: Partitions, timeout: float) -> dict[str, int]:
    """Lag of each consumer group with committed offsets on the given partitions."""
    admin = AdminClient({**client_properties(bootstrap), **QUIET})
    listed = admin.list_consumer_groups(request_timeout=timeout).result()
    lags: dict[str, int] = {}
    for listing in listed.valid:
        request = [ConsumerGroupTopicPartitions(listing.group_id)]
        try:
            (future,) = admin.list_consumer_group_offsets(request, request_timeout=timeout).values()
            offsets = future.result().topic_partitions or []
        except Exception as exc:  # a group that vanished meanwhile
            log.debug("no offsets for group", extra={"group": listing.group_id, "error": str(exc)})
            continue
        ours = [tp for tp in offsets if (tp.topic, tp.partition) in highs and tp.offset >= 0]
        if ours:
            lags[listing.group_id] = sum(
                max(0, highs[(tp.topic, tp.partition)] - tp.offset) for tp in ours
            )
    return lags


def judge_lags(lags: dict[str, int], threshold: int) -> CheckResult:
    """Warning when any group is more than ``threshold`` messages behind (pure)."""
    behind = {group: lag for group, lag in sorted(lags.items()) if lag > threshold}
    details: dict[str, object] = {"threshold": threshold, "groups": len(lags), "lag": lags}
    if behind:
        listed = ", ".join(f"{group} ({lag})" for group, lag in behind.items())
        return CheckResult(
            "consumer_lag", "warning", f"Consumer lag above {threshold}: {listed}", details
        )
    return CheckResult("consumer_lag", "healthy", "Consumer groups keeping up", details)


def check_consumer_lag(
    bootstrap: Connection, topics: Sequence[str], threshold: int, timeout: float
) -> CheckResult:
    """The lag of every consumer group committing offsets on ``topics``, against ``threshold``."""
    highs = high_watermarks(bootstrap, topics, timeout)
    return judge_lags(committed_lags(bootstrap, highs, timeout), threshold)
