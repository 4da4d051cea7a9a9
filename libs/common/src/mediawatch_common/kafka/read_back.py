"""Read a topic back from the beginning up to given offsets (default: its current end).

Services rebuild their state this way at start: the alerter its alerts and silences, the
notifier the groups it announced.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from mediawatch_common.events import Event
from mediawatch_common.kafka.connection import Connection, client_properties


def end_offsets(consumer: Consumer, topic: str, timeout: float = 10.0) -> dict[int, int]:
    """The high watermark of every partition of ``topic``."""
    partitions = consumer.list_topics(topic, timeout=timeout).topics[topic].partitions
    return {
        p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[1]
        for p in partitions
    }


def read_history(
    bootstrap: Connection,
    topic: str,
    decode: Callable[[bytes], Event],
    until: Mapping[int, int] | None = None,
    timeout: float = 60.0,
) -> Iterator[Event]:
    """Every decodable event of ``topic`` before ``until`` (partition -> offset), in order per
    partition. Undecodable messages are skipped here (the live consumer dead-letters them).

    Raises:
        TimeoutError: the end was not reached within ``timeout`` seconds.
    """
    for _partition, _offset, event in read_positions(bootstrap, topic, decode, until, timeout):
        yield event


def read_positions(
    bootstrap: Connection,
    topic: str,
    decode: Callable[[bytes], Event],
    until: Mapping[int, int] | None = None,
    timeout: float = 60.0,
    since: Mapping[int, int] | None = None,
) -> Iterator[tuple[int, int, Event]]:
    """As :func:`read_history`, each event with its partition and offset; ``since``
    (partition -> offset) starts partitions there instead of at their beginning, or at the
    first message still kept where retention deleted the messages up to that offset."""
    consumer = Consumer(
        {
            **client_properties(bootstrap),
            "group.id": f"mediawatch-replay-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    try:
        stop = dict(until) if until is not None else end_offsets(consumer, topic)
        first = dict(since or {})
        left = {p: o for p, o in stop.items() if o > max(first.get(p, 0), 0)}
        consumer.assign([TopicPartition(topic, p, first.get(p, OFFSET_BEGINNING)) for p in left])
        deadline = time.monotonic() + timeout
        while left:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} back did not finish within {timeout}s")
            for msg in consumer.consume(500, 0.5):
                partition, offset = msg.partition() or 0, msg.offset() or 0
                if msg.error() is not None or partition not in left or offset >= left[partition]:
                    continue
                try:
                    event = decode(msg.value() or b"")
                except Exception:  # noqa: S112 - the live consumer reports bad messages
                    continue
                finally:
                    if offset + 1 >= left[partition]:
                        del left[partition]
                yield partition, offset, event
            left = passed_ends(consumer, topic, left)
    finally:
        consumer.close()


def passed_ends(consumer: Consumer, topic: str, ends: Mapping[int, int]) -> dict[int, int]:
    """Those of ``ends`` (partition -> end offset) that ``consumer`` has not reached yet.

    A partition's last records may be transaction markers, which are never delivered; the
    consumer's position moves past them, so the position tells that the end was reached.
    """
    if not ends:
        return {}
    positions = consumer.position([TopicPartition(topic, p) for p in ends])
    return {tp.partition: ends[tp.partition] for tp in positions if tp.offset < ends[tp.partition]}
