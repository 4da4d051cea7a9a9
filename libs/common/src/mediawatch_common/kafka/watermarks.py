"""Offset look-ups that ride out a partition's leader moving or just being elected."""

from __future__ import annotations

import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

# Errors that mean "the partition's leader is moving or not known yet": worth a retry.
_TRANSIENT = {
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
    KafkaError._TRANSPORT,
    KafkaError._TIMED_OUT,
}


def watermarks(consumer: Consumer, topic: str, partition: int,
               timeout: float = 15.0) -> tuple[int, int]:  # fmt: skip
    """(low, high) offsets of a partition, retrying while the error is retriable."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=max(deadline - time.monotonic(), 1.0)
            )
            return low, high
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            transient = isinstance(error, KafkaError) and (
                error.retriable() or error.code() in _TRANSIENT
            )
            if not transient or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
