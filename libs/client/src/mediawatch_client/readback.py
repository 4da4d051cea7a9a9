"""Reading partitions back to learn which unacknowledged messages Kafka wrote all the same."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from mediawatch_client.unconfirmed import Partition, Suspects, digest

SKEW_MS = 5_000
"""Read from this long before the first suspect was produced: room for the clock of a broker
that stamps messages with its own append time."""
_CONNECTION_KEYS = ("bootstrap.servers", "client.id", "logger", "broker.address.family")
_CONNECTION_PREFIXES = ("security.", "sasl.", "ssl.", "socket.")
_DENIED = frozenset(
    {
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.GROUP_AUTHORIZATION_FAILED,
        KafkaError.CLUSTER_AUTHORIZATION_FAILED,
    }
)


@dataclass(frozen=True, slots=True)
class ReadBack:
    """What reading back found.

    Attributes:
        written: Digests of the suspects found in the log.
        complete: Every partition was read far enough; when false, suspects not in
            ``written`` may still be in the log (reading was refused or took too long).
    """

    written: set[bytes]
    complete: bool


def consumer_config(producer_config: Mapping[str, Any]) -> dict[str, Any]:
    """A reader's settings: the producer's connection and security, no group, no commits."""
    config = {
        key: value
        for key, value in producer_config.items()
        if key in _CONNECTION_KEYS or key.startswith(_CONNECTION_PREFIXES)
    }
    return {
        **config,
        "group.id": "mediawatch-client-readback",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": "read_uncommitted",
    }


def find_written(
    producer_config: Mapping[str, Any], suspects: Mapping[Partition, Suspects], timeout: float
) -> ReadBack | None:
    """Look for ``suspects`` in their partitions, from their ``since_ms`` to the end.

    Returns ``None`` when the cluster did not answer (try again later).
    """
    consumer = Consumer(consumer_config(producer_config))
    try:
        try:
            wanted, starts = _ranges(consumer, suspects, timeout)
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if isinstance(error, KafkaError) and error.code() in _DENIED:
                return ReadBack(set(), complete=False)
            return None
        return _scan(consumer, wanted, starts, time.monotonic() + timeout)
    finally:
        consumer.close()


def _ranges(
    consumer: Consumer, suspects: Mapping[Partition, Suspects], timeout: float
) -> tuple[dict[Partition, set[bytes]], dict[Partition, tuple[int, int]]]:
    """The digests still to find per partition, and the offsets to read (from, end)."""
    asked = [
        TopicPartition(topic, partition, max(0, s.since_ms - SKEW_MS))
        for (topic, partition), s in suspects.items()
    ]
    wanted: dict[Partition, set[bytes]] = {}
    starts: dict[Partition, tuple[int, int]] = {}
    for tp in consumer.offsets_for_times(asked, timeout=timeout):
        if tp.error is not None:
            raise KafkaException(tp.error)
        key = (tp.topic, tp.partition)
        if tp.offset < 0:
            continue  # nothing was written there since: none of them is in the log
        _, end = consumer.get_watermark_offsets(
            TopicPartition(tp.topic, tp.partition), timeout=timeout
        )
        if tp.offset < end:
            wanted[key] = set(suspects[key].digests)
            starts[key] = (tp.offset, end)
    return wanted, starts


def _scan(
    consumer: Consumer,
    wanted: dict[Partition, set[bytes]],
    ranges: dict[Partition, tuple[int, int]],
    deadline: float,
) -> ReadBack:
    written: set[bytes] = set()
    if not wanted:
        return ReadBack(written, complete=True)
    consumer.assign([TopicPartition(t, p, ranges[(t, p)][0]) for t, p in wanted])
    while wanted and time.monotonic() < deadline:
        for message in consumer.consume(500, 0.2):
            key = (message.topic() or "", message.partition() or 0)
            left = wanted.get(key)
            if left is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    return ReadBack(written, complete=False)
                del wanted[key]
                continue
            found = digest(message.value() or b"")
            if found in left:
                left.discard(found)
                written.add(found)
            if not left or (message.offset() or 0) + 1 >= ranges[key][1]:
                del wanted[key]
    return ReadBack(written, complete=not wanted)
