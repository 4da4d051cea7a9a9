"""Which attempt a delivered job is, read from the pipeline topic itself (the event store).

A job delivered again after a worker died gets the next attempt number, and the stage the
dead worker left open a WORKER_LOST completion; no state lives outside Kafka, so any worker
can take over (``docs/transcoder.md``, "Attempts and commits").
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import (
    ErrorCode,
    Event,
    Stage,
    StageCompleted,
    StageStarted,
    decode_event,
)
from mediawatch_common.kafka import Connection, client_properties

SKEW_MS = 60_000


@dataclass(frozen=True, slots=True)
class History:
    """What earlier attempts of a session left on the pipeline topic."""

    last_attempt: int
    open_stages: tuple[StageStarted, ...]
    finished: bool

    @property
    def next_attempt(self) -> int:
        """The number of the attempt to run now."""
        return self.last_attempt + 1


def summarise(events: Iterable[Event]) -> History:
    """Fold a session's pipeline events (in log order) into its :class:`History`."""
    started: dict[tuple[int, Stage], StageStarted] = {}
    completed: dict[tuple[int, Stage], StageCompleted] = {}
    last = 0
    for event in events:
        if isinstance(event, StageStarted):
            started[(event.attempt, event.stage)] = event
            last = max(last, event.attempt)
        elif isinstance(event, StageCompleted):
            completed[(event.attempt, event.stage)] = event
            last = max(last, event.attempt)
    dangling = tuple(s for key, s in started.items() if key not in completed)
    mine = [c for (attempt, _), c in completed.items() if attempt == last]
    abandoned = any(c.error_code is ErrorCode.WORKER_LOST for c in mine)
    cleaned = any(c.stage is Stage.CLEANUP for c in mine)
    return History(last_attempt=last, open_stages=dangling, finished=cleaned and not abandoned)


class AttemptLedger:
    """Reads a session's history from the pipeline topic (assign-only, never commits)."""

    def __init__(self, bootstrap: Connection, topic: str, codec: AvroCodec | None = None) -> None:
        self._consumer = Consumer(
            {
                **client_properties(bootstrap),
                "group.id": f"mediawatch-transcoder-ledger-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
                "isolation.level": "read_committed",
            }
        )
        self._topic = topic
        self._codec = codec

    def history(self, session_id: str, since_ms: int, timeout: float = 30.0) -> History:
        """The session's history from events written since ``since_ms`` (epoch ms)."""
        return summarise(self._read(session_id.encode(), max(0, since_ms - SKEW_MS), timeout))

    def _read(self, key: bytes, since_ms: int, timeout: float) -> list[Event]:
        metadata = self._consumer.list_topics(self._topic, timeout=timeout)
        partitions = [
            TopicPartition(self._topic, p, since_ms)
            for p in metadata.topics[self._topic].partitions
        ]
        starts = self._consumer.offsets_for_times(partitions, timeout=timeout)
        ends = {
            tp.partition: self._consumer.get_watermark_offsets(tp, timeout=timeout)[1]
            for tp in partitions
        }
        todo = [tp for tp in starts if tp.offset >= 0 and tp.offset < ends[tp.partition]]
        if not todo:
            return []
        self._consumer.assign(todo)
        remaining = {tp.partition for tp in todo}
        found: list[Event] = []
        deadline = time.monotonic() + timeout
        try:
            while remaining:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"pipeline history not read within {timeout}s")
                for msg in self._consumer.consume(500, 0.1):
                    if msg.error() is not None:
                        remaining.discard(msg.partition() or 0)
                        continue
                    if (msg.offset() or 0) + 1 >= ends[msg.partition() or 0]:
                        remaining.discard(msg.partition() or 0)
                    if msg.key() == key:
                        found.append(decode_event(msg.value() or b"", self._codec))
        finally:
            self._consumer.unassign()
        return found

    def close(self) -> None:
        """Leave the brokers."""
        self._consumer.close()
