"""Batch ingest of the pipeline topic: read with ``getmany``, decode, group rows by stage.

Faust delivers messages one at a time through its stream machinery (a few thousand per
second on our machines); the pipeline topic is read here in batches with aiokafka instead.
Each batch is turned into one message per stage on an internal topic, which the Faust agent
aggregates. Offsets are committed only after those messages (and any dead letters) are
acknowledged by the brokers: at-least-once, with duplicates skipped by the panes.
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

from mediawatch_aggregator.decode import RowDecoder
from mediawatch_aggregator.rows import Row
from mediawatch_common.avro import DecodeError

log = logging.getLogger(__name__)
perf = logging.getLogger("mediawatch.performance.aggregator")


@dataclass(slots=True)
class Batch:
    """One read batch, sorted: rows per stage, dead letters, events that are not counted."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
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
            batch.rows.setdefault(decoded[0], []).append(decoded[1])
    return batch


class BatchSink(Protocol):
    """Publishes a sorted batch and returns once the brokers acknowledged every message."""

    def __call__(self, batch: Batch) -> Awaitable[None]: ...


class Ingest:
    """The read loop: batch, sort, publish, commit."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        decoder: RowDecoder,
        sink: BatchSink,
        batch_size: int,
        timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wires the loop; the consumer must have auto-commit disabled."""
        self._consumer = consumer
        self._decoder = decoder
        self._sink = sink
        self._batch_size = batch_size
        self._timeout_ms = round(timeout_seconds * 1000)
        self._clock = clock
        self.events = 0

    async def run(self) -> None:
        """Reads until cancelled; stops the consumer on the way out."""
        await self._consumer.start()
        started, reported = self._clock(), 0
        try:
            while True:
                data = await self._consumer.getmany(
                    timeout_ms=self._timeout_ms, max_records=self._batch_size
                )
                if data:
                    await self._handle(data)
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
        self.events += batch.size
        offsets = {tp: records[-1].offset + 1 for tp, records in data.items() if records}
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # A rebalance took the partitions away: their new owner reads the batch again and
            # the panes skip what was already counted.
            log.warning("offset commit failed after a rebalance", extra={"error": str(exc)})
