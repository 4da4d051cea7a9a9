"""Read a slice of the event history without joining any consumer group."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from confluent_kafka import Consumer, Message, TopicPartition

from mediawatch_common.events import Event
from mediawatch_common.kafka import SMALL_PREFETCH, Record, watermarks
from mediawatch_common.kafka.connection import Connection, client_properties
from mediawatch_common.replay.positions import Bound

# Events reach the log after they happen: read this far past a time bound, then filter on
# event time, so an event produced a little late is still in its slice.
LATE_ARRIVAL = timedelta(minutes=5)

Progress = Callable[[int, int], None]
"""Called with (messages read so far, messages in the slice)."""


@dataclass(frozen=True, slots=True)
class Range:
    """Offsets ``start`` (inclusive) to ``end`` (exclusive) of one partition."""

    topic: str
    partition: int
    start: int
    end: int


class HistoryReader:
    """Reads topics between two bounds with ``assign()``: no group membership, no commits.

    The end of every partition is fixed when reading starts, so a replay terminates even
    while producers keep writing.
    """

    def __init__(
        self,
        bootstrap: Connection,
        decode: Callable[[bytes], Event],
        read_whole: Mapping[str, Callable[[Message], Event]] | None = None,
    ) -> None:
        """``read_whole`` maps topics whose messages are read from the whole message
        (headers included) instead of decoded from their value (the dead-letter topic)."""
        self._consumer = Consumer(
            {
                **client_properties(bootstrap),
                # A throw-away id: assign() never joins it and nothing is committed.
                "group.id": f"mediawatch-replay-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                # A rebuild reads millions of events: keep memory flat as history grows.
                **SMALL_PREFETCH,
            }
        )
        self._decode = decode
        self._read_whole = dict(read_whole or {})
        self.undecodable = 0

    def close(self) -> None:
        """Release the connection."""
        self._consumer.close()

    def read(
        self,
        topics: Sequence[str],
        start: Bound | None,
        end: Bound | None,
        progress: Progress | None = None,
    ) -> Iterator[Record[Event]]:
        """Yield every decodable record of ``topics`` from ``start`` (None: the beginning)
        up to ``end`` (None: the end at the time of the call), in each partition's order.

        Time bounds are positions in the log; filter on event time to cut exactly.
        """
        return self.read_ranges(self.ranges(topics, start, end), progress)

    def read_ranges(
        self, ranges: Sequence[Range], progress: Progress | None = None
    ) -> Iterator[Record[Event]]:
        """Yield every decodable record of the given partition ranges."""
        for msg in self.messages(ranges, progress):
            record = self.record(msg)
            if record is not None:
                yield record

    def messages(
        self, ranges: Sequence[Range], progress: Progress | None = None
    ) -> Iterator[Message]:
        """Yield every message of the given partition ranges as read, undecoded."""
        ranges = [r for r in ranges if r.end > r.start]
        total = sum(r.end - r.start for r in ranges)
        if not ranges:
            return
        self._consumer.assign([TopicPartition(r.topic, r.partition, r.start) for r in ranges])
        ends = {(r.topic, r.partition): r.end for r in ranges}
        done = 0
        while ends:
            for msg in self._consumer.consume(1000, 1.0):
                if msg.error() is not None:
                    continue
                where = (str(msg.topic()), msg.partition() or 0)
                offset = msg.offset() or 0
                if where not in ends or offset >= ends[where]:
                    continue
                done += 1
                if offset + 1 >= ends[where]:
                    del ends[where]
                    self._consumer.incremental_unassign([TopicPartition(*where)])
                yield msg
            for where in self._passed(ends):
                del ends[where]
                self._consumer.incremental_unassign([TopicPartition(*where)])
            if progress:
                progress(done, total)

    def _passed(self, ends: dict[tuple[str, int], int]) -> list[tuple[str, int]]:
        """Partitions whose position passed their end without a record there to deliver (the
        last records were transaction markers)."""
        if not ends:
            return []
        positions = self._consumer.position([TopicPartition(t, p) for t, p in ends])
        return [
            (tp.topic, tp.partition)
            for tp in positions
            if tp.offset >= ends[(tp.topic, tp.partition)]
        ]

    def record(self, msg: Message) -> Record[Event] | None:
        """The decoded record of ``msg``, or None (and counted) when it does not decode."""
        where, offset = (str(msg.topic()), msg.partition() or 0), msg.offset() or 0
        whole = self._read_whole.get(where[0])
        try:
            event = whole(msg) if whole is not None else self._decode(msg.value() or b"")
        except Exception:
            self.undecodable += 1
            return None
        return Record(where[0], where[1], offset, msg.key(), msg.timestamp()[1], event)

    def ranges(
        self, topics: Sequence[str], start: Bound | None = None, end: Bound | None = None
    ) -> list[Range]:
        """The partition ranges of ``topics`` between two bounds (default: all kept events).

        Raises:
            LookupError: a topic does not exist.
        """
        metadata = self._consumer.list_topics(timeout=15)
        ranges = []
        for topic in topics:
            if topic not in metadata.topics or metadata.topics[topic].error is not None:
                raise LookupError(f"topic {topic} does not exist")
            for partition in sorted(metadata.topics[topic].partitions):
                low, high = watermarks(self._consumer, topic, partition)
                first = self._position(topic, partition, start, low, high)
                late_end = (
                    end if end is None or end.time is None else Bound(time=end.time + LATE_ARRIVAL)
                )
                last = self._position(topic, partition, late_end, high, high)
                ranges.append(Range(topic, partition, max(first, low), min(last, high)))
        return ranges

    def _position(
        self, topic: str, partition: int, bound: Bound | None, default: int, high: int
    ) -> int:
        if bound is None:
            return default
        if bound.offset is not None:
            return bound.offset
        (found,) = self._consumer.offsets_for_times(
            [TopicPartition(topic, partition, bound.time_ms or 0)], timeout=15
        )
        # -1: no message at or after that time.
        return high if found.offset < 0 else found.offset
