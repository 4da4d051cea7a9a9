"""Produce events through the common producer and read them back from the brokers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import Event, decode_event, encode_event, to_record
from mediawatch_common.kafka import EventProducer, watermarks
from mediawatch_common.kafka.connection import Connection, client_properties


@dataclass(slots=True)
class RoundTrip:
    """What went out and what came back."""

    produced: list[Event] = field(default_factory=list)
    consumed: list[Event] = field(default_factory=list)
    bytes_produced: int = 0

    @property
    def identical(self) -> bool:
        """Every produced event came back, field for field, in order per key."""
        back = {e.event_id: to_record(e) for e in self.consumed}
        return len(back) == len(self.produced) and all(
            back.get(e.event_id) == to_record(e) for e in self.produced
        )


def _key(event: Event) -> str:
    return str(getattr(event, "session_id", None) or getattr(event, "host", ""))


def round_trip(
    bootstrap: Connection,
    routes: Sequence[tuple[str, Event]],
    producer: EventProducer,
    codec: AvroCodec,
    timeout: float = 30.0,
) -> RoundTrip:
    """Produce each (topic, event), flush, then read every one back and decode it."""
    result = RoundTrip()
    reader = Consumer(
        {**client_properties(bootstrap), "group.id": "mediawatch-demo", "enable.auto.commit": False}
    )
    try:
        topics = sorted({topic for topic, _ in routes})
        starts = _end_offsets(reader, topics)
        for topic, event in routes:
            data = encode_event(event, codec)
            producer.produce(
                topic, data, key=_key(event), timestamp_ms=int(event.event_time.timestamp() * 1000)
            )
            result.produced.append(event)
            result.bytes_produced += len(data)
        producer.flush()
        reader.assign(starts)
        wanted = {e.event_id for e in result.produced}
        deadline = time.monotonic() + timeout
        while wanted and time.monotonic() < deadline:
            for msg in reader.consume(500, 0.5):
                if msg.error() is None:
                    event = decode_event(msg.value() or b"", codec)
                    if event.event_id in wanted:
                        wanted.discard(event.event_id)
                        result.consumed.append(event)
    finally:
        reader.close()
    return result


def _end_offsets(consumer: Consumer, topics: Sequence[str]) -> list[TopicPartition]:
    metadata = consumer.list_topics(timeout=10)
    positions = []
    for topic in topics:
        for partition in metadata.topics[topic].partitions:
            _, high = watermarks(consumer, topic, partition)
            positions.append(TopicPartition(topic, partition, high))
    return positions
