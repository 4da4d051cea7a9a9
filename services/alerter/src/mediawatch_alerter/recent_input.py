"""Read the recent past of a topic at start, from a point in time up to its current end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime

from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.events import Event
from mediawatch_common.kafka import Connection, client_properties
from mediawatch_common.kafka.read_back import end_offsets


def read_since(
    bootstrap: Connection,
    topic: str,
    decode: Callable[[bytes], Event],
    since: datetime,
    timeout: float = 60.0,
) -> Iterator[Event]:
    """Every decodable event of ``topic`` written since ``since``, up to the end it had when
    called. Joins no group and commits nothing.

    Raises:
        TimeoutError: the end was not reached within ``timeout`` seconds.
    """
    consumer = Consumer(
        {
            **client_properties(bootstrap),
            "group.id": f"mediawatch-recall-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    try:
        ends = end_offsets(consumer, topic)
        wanted = [TopicPartition(topic, p, int(since.timestamp() * 1000)) for p in ends]
        starts = {tp.partition: tp.offset for tp in consumer.offsets_for_times(wanted, 10.0)}
        left = {p: end for p, end in ends.items() if 0 <= starts.get(p, -1) < end}
        consumer.assign([TopicPartition(topic, p, starts[p]) for p in left])
        deadline = time.monotonic() + timeout
        while left:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} since {since} did not end within {timeout}s")
            for msg in consumer.consume(500, 0.5):
                partition, offset = msg.partition() or 0, msg.offset() or 0
                if msg.error() is not None or partition not in left or offset >= left[partition]:
                    continue
                if offset + 1 >= left[partition]:
                    del left[partition]
                try:
                    yield decode(msg.value() or b"")
                except Exception:  # noqa: S112 - the live consumer dead-letters bad messages
                    continue
    finally:
        consumer.close()
