"""The projector: every topic into PostgreSQL, exactly once.

Each batch's rows and the group's next offsets are written in one transaction; on partition
assignment the consumer seeks to the stored offsets, so a crash anywhere replays exactly the
batches whose transaction did not commit. Kafka's own committed offsets are not used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import default_codec
from mediawatch_common.kafka import (
    SMALL_PREFETCH,
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)
from mediawatch_common.kafka import Connection as KafkaConnection
from mediawatch_common.retry import Backoff, retry
from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.batch_writes import (
    Connection,
    Positions,
    load_positions,
    lock_positions,
    write_rows,
)
from mediawatch_projector.event_rows import build_rows
from mediawatch_projector.message_decoding import Decoded, make_decoder, read_deadletter
from mediawatch_projector.metrics import ProjectorMetrics
from mediawatch_projector.writer import BackgroundWriter

log = logging.getLogger(__name__)

POSITIONS_BACKOFF = Backoff(initial=2.0, maximum=10.0)
"""Waits between attempts to read the stored positions when partitions are assigned."""

ConnectionFactory = Callable[[], Connection]

Batch = Sequence[Record[Decoded]]


class Projection:
    """Batch handler and assignment hook sharing one database connection.

    :meth:`handle` builds a batch's rows, waits for the previous batch's write, and hands its
    own to a background writer (see :mod:`mediawatch_projector.writer`): the consumer
    decodes the next batch while PostgreSQL works. Exactly once still holds because each write
    is one transaction that checks the stored positions, and a write that is abandoned (the
    partitions are reassigned) was not committed, so its events are read again.
    """

    def __init__(
        self, connect: ConnectionFactory, group: str, metrics: ProjectorMetrics | None = None
    ) -> None:
        self._connect = connect
        self._metrics = metrics or ProjectorMetrics(registry=None)
        self.stored: Positions = {}
        """The positions stored with the last rows written (replaced whole, never mutated)."""
        self._group = group
        self._conn: Connection | None = None
        self._writer: BackgroundWriter[tuple[Batch, Rows]] = BackgroundWriter(self._write)
        self._generation = 0
        self._last: tuple[Batch | None, int] = (None, 0)
        self._stopping = threading.Event()
        self.written = 0

    def stop(self) -> None:
        """Stop waiting for the database: a stop must not wait out its outage."""
        self._stopping.set()

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def handle(self, batch: Batch) -> None:
        """Build the batch's rows and start writing them once the previous batch is written.

        Raises:
            WriteBehindError: The previous batch is still failing to be written; the consumer
                loop pauses and calls again with the same batch.
        """
        last, generation = self._last
        if batch is last and generation != self._generation:
            # A retry of a batch read before the partitions were reassigned: the consumer now
            # reads again from the stored positions, so writing it could leave a gap.
            log.info("dropping a batch read before the reassignment", extra={"n": len(batch)})
            return
        self._last = (batch, self._generation)
        rows = build_rows(batch)
        self._writer.settle()
        self._writer.submit((batch, rows))

    def flush(self) -> None:
        """Wait until every handled batch is written (retrying a failing write meanwhile)."""
        self._writer.settle(wait_while_failing=True)

    def _write(self, work: tuple[Batch, Rows]) -> None:
        """Write the records not yet projected, and their positions, in one transaction."""
        batch, rows = work
        conn = self._connection()
        began = time.perf_counter()
        try:
            with conn.transaction():
                stored = lock_positions(conn, self._group, rows.positions)
                fresh = _fresh(batch, rows.lows, stored)
                if fresh is not batch:
                    rows = build_rows(fresh)
                if fresh:
                    write_rows(conn, self._group, rows)
        except Exception:
            self._drop_connection()
            raise
        self.written += len(fresh)
        self._metrics.written(len(fresh), time.perf_counter() - began)
        if fresh:
            self.stored = {**self.stored, **rows.positions}

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Start each assigned partition at its stored position (the beginning if none)."""
        self._writer.abandon()
        self._generation += 1
        try:
            stored = self._positions_with_retry()
        except RuntimeError:
            if not self._stopping.is_set():
                raise
            # Read nothing more: what was not projected is read again after the restart.
            log.info("stopping: partitions left unassigned", extra={"n": len(partitions)})
            consumer.assign([])
            return
        self.stored = dict(stored)
        for tp in partitions:
            tp.offset = stored.get((tp.topic, tp.partition), OFFSET_BEGINNING)
        consumer.assign(partitions)
        log.info("partitions assigned", extra={"partitions": len(partitions)})

    def _positions_with_retry(self, attempts: int = 30) -> dict[tuple[str, int], int]:
        def load() -> dict[tuple[str, int], int]:
            try:
                conn = self._connection()
                with conn.transaction():
                    return load_positions(conn, self._group)
            except Exception:
                self._drop_connection()
                raise

        def warn(exc: Exception, delay: float) -> None:
            log.warning(
                "positions unavailable; retrying",
                extra={"error": type(exc).__name__, "backoff_seconds": delay},
            )

        try:
            return retry(load, POSITIONS_BACKOFF, on_retry=warn, max_attempts=attempts,
                         stopping=self._stopping.is_set, wait=self._stopping.wait)  # fmt: skip
        except Exception as exc:
            raise RuntimeError("cannot read the stored consumer positions") from exc

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Finish the write in flight (or give it up if it keeps failing), drop the connection."""
        if not self._writer.close():
            log.warning("stopped with a batch not written; it will be projected after a restart")
        self._drop_connection()


def _fresh(batch: Batch, lows: Positions, stored: Positions) -> Batch:
    """The records at or past their partition's stored position (``batch`` itself if all,
    which the lowest offset read from each partition tells without a pass over the batch)."""
    if all(low >= stored.get(key, 0) for key, low in lows.items()):
        return batch
    return [r for r in batch if r.offset >= stored.get((r.topic, r.partition), 0)]


def build_loop(
    projection: Projection,
    bootstrap: KafkaConnection,
    topics: Sequence[str],
    deadletter_topic: str,
    group: str,
    batch_size: int,
    codec: AvroCodec | None = None,
) -> ConsumerLoop[Decoded]:
    """The consumer loop driving ``projection``, decoding with ``codec`` (default: the
    repository's schemas); the dead-letter topic, when among ``topics``, is read whole."""
    extra: dict[str, Any] = {"enable.partition.eof": False, **SMALL_PREFETCH}
    producer = EventProducer(producer_config(bootstrap, f"{group}-deadletters"))
    decode = make_decoder(codec or default_codec())
    return ConsumerLoop(
        consumer_config(bootstrap, group, "earliest", extra),
        topics,
        decode,
        projection.handle,
        DeadLetters(producer, deadletter_topic, group),
        batch_size=batch_size,
        on_assign=projection.on_assign,
        synchronous_commit=False,  # the positions are in PostgreSQL; Kafka's only show lag
        read_whole={deadletter_topic: read_deadletter(decode)},
        lag_positions=lambda: projection.stored,
    )
