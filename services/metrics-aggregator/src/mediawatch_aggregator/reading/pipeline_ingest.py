"""Batch ingest of the pipeline topic: read with ``getmany``, decode, group rows by stage.

Faust streams deliver one message at a time, too slowly for the pipeline topic, so it is read
here with aiokafka. Offsets are committed once the stage batches are acknowledged
(at-least-once; the panes skip replays), and progress reports after the rows drive the
watermark (:mod:`~mediawatch_aggregator.windowing.watermark`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
)

from mediawatch_aggregator.reading.event_decoding import RowDecoder
from mediawatch_aggregator.windowing.completion_rows import RowValues
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_common.avro import DecodeError
from mediawatch_common.metrics import PartitionLag

log = logging.getLogger(__name__)
perf = logging.getLogger("mediawatch.performance.aggregator")


@dataclass(slots=True)
class Batch:
    """One read batch, sorted: rows per stage, dead letters, events that are not counted, and
    the highest event time read per partition."""

    rows: dict[str, list[RowValues]] = field(default_factory=dict)
    high: dict[int, int] = field(default_factory=dict)
    dead: list[tuple[ConsumerRecord[Any, Any], str]] = field(default_factory=list)
    ignored: int = 0

    @property
    def size(self) -> int:
        """How many messages the batch held."""
        return sum(map(len, self.rows.values())) + len(self.dead) + self.ignored


def sort_batch(records: Iterable[ConsumerRecord[Any, Any]], decoder: RowDecoder) -> Batch:
    """Decodes every record; what cannot be read becomes a dead letter with its reason."""
    batch = Batch()
    for record in records:
        try:
            decoded = decoder.decode(record.value, record.partition, record.offset)
        except DecodeError as exc:
            batch.dead.append((record, str(exc)))
            continue
        if decoded is None:
            batch.ignored += 1
        else:
            stage, row = decoded
            batch.rows.setdefault(stage, []).append(row)
            partition, time = row[0], row[2]
            if time > batch.high.get(partition, time - 1):
                batch.high[partition] = time
    return batch


class BatchSink(Protocol):
    """Publishes a sorted batch and returns once the brokers acknowledged every message."""

    def __call__(self, batch: Batch) -> Awaitable[None]: ...


class ProgressSink(Protocol):
    """Publishes a progress report and returns once the brokers acknowledged it."""

    def __call__(self, progress: Progress) -> Awaitable[None]: ...


@dataclass(slots=True)
class Tracker:
    """The facts of the progress reports, kept from batch to batch (pure bookkeeping)."""

    partitions: int = 0
    high: dict[int, int] = field(default_factory=dict)
    confirmed: dict[int, int] = field(default_factory=dict)
    changed: bool = False

    def read(self, high: dict[int, int]) -> None:
        """Takes the highest event times of a handled batch."""
        for partition, at in high.items():
            if at > self.high.get(partition, at - 1):
                self.high[partition] = at
                self.changed = True

    def caught_up(self, partition: int, at: int) -> None:
        """Records that ``partition`` was read to its end at wall time ``at`` (µs)."""
        if at > self.confirmed.get(partition, at - 1):
            self.confirmed[partition] = at
            self.changed = True

    def report(self) -> Progress:
        """The current report; marks it as sent."""
        self.changed = False
        return Progress(self.partitions, dict(self.high), dict(self.confirmed))


class Ingest:
    """The read loop: batch, sort, publish, commit; until :meth:`stop` or cancelled."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        decoder: RowDecoder,
        sink: BatchSink,
        progress: ProgressSink,
        batch_size: int,
        timeout_seconds: float,
        report_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        group: str = "",
        on_read: Callable[[int], None] = lambda _messages: None,
    ) -> None:
        """Wires the loop; the consumer must have auto-commit disabled. ``group`` names the
        consumer group in :meth:`lag`; ``on_read`` is told how many messages each batch had."""
        self._consumer = consumer
        self._decoder = decoder
        self._sink = sink
        self._progress = progress
        self._batch_size = batch_size
        self._timeout_ms = round(timeout_seconds * 1000)
        self._report_seconds = report_seconds
        self._clock = clock
        self._tracker = Tracker()
        self._reported = float("-inf")
        self._group, self._on_read = group, on_read
        self._lag: list[PartitionLag] = []
        self._lag_at = float("-inf")
        self._stopping = False
        self.events = 0

    def stop(self) -> None:
        """Ask :meth:`run` to return after the batch in hand is published and committed."""
        self._stopping = True

    async def run(self) -> None:
        """Reads until stopped or cancelled; stops the consumer (leaves the group) on the way
        out."""
        await self._consumer.start()
        started, reported = self._clock(), 0
        try:
            while not self._stopping:
                data = await self._consumer.getmany(
                    timeout_ms=self._timeout_ms, max_records=self._batch_size
                )
                if data:
                    await self._handle(data)
                await self.report_progress()
                await self._note_lag()
                if self._clock() - started >= 10:
                    rate = (self.events - reported) / (self._clock() - started)
                    perf.info("ingest rate", extra={"events_per_second": round(rate)})
                    started, reported = self._clock(), self.events
        finally:
            await self._consumer.stop()

    async def _handle(self, data: dict[Any, Sequence[ConsumerRecord[Any, Any]]]) -> None:
        batch = sort_batch((r for records in data.values() for r in records), self._decoder)
        for record, reason in batch.dead:
            log.warning(
                "undecodable pipeline message sent to the dead-letter topic",
                extra={"partition": record.partition, "offset": record.offset, "reason": reason},
            )
        await self._sink(batch)
        self._tracker.read(batch.high)
        self.events += batch.size
        self._on_read(batch.size)
        offsets = {tp: records[-1].offset + 1 for tp, records in data.items() if records}
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # A rebalance took the partitions away: their new owner reads the batch again and
            # the panes skip what was already counted.
            log.warning("offset commit failed after a rebalance", extra={"error": str(exc)})

    def lag(self) -> list[PartitionLag]:
        """The lag per assigned partition as of the last look, at most a second old."""
        return self._lag

    async def _note_lag(self) -> None:
        """Takes the lag from the client's state: positions and the fetched high watermarks."""
        if self._clock() - self._lag_at < 1.0:
            return
        self._lag_at = self._clock()
        lags = []
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is None:
                continue  # no fetch response yet
            try:
                position = await self._consumer.position(tp)
            except IllegalStateError:
                continue  # taken away by a rebalance
            lags.append(PartitionLag(self._group, tp.topic, tp.partition, max(0, high - position)))
        self._lag = lags

    async def report_progress(self) -> None:
        """Sends the progress report when it changed, at most every ``report_seconds``.

        Runs after every batch: between two reports it returns at once, and the partitions'
        positions are only looked at when a report is due.
        """
        if self._clock() - self._reported < self._report_seconds:
            return
        consumer, tracker = self._consumer, self._tracker
        assigned = consumer.assignment()
        for tp in assigned:
            highwater = consumer.highwater(tp)
            polled = consumer.last_poll_timestamp(tp)
            if highwater is None or polled is None:
                continue  # no fetch response yet
            try:
                position = await consumer.position(tp)
            except IllegalStateError:
                continue  # taken away by a rebalance
            if position >= highwater:
                tracker.caught_up(tp.partition, polled * 1000)
        for topic in {tp.topic for tp in assigned}:
            count = len(consumer.partitions_for_topic(topic) or ())
            tracker.partitions = max(tracker.partitions, count)
        if tracker.changed:
            await self._progress(tracker.report())
            self._reported = self._clock()
