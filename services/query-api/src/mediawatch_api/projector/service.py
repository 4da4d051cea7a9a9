"""The projector: every topic into PostgreSQL, exactly once.

Each batch's rows and the group's next offsets are written in one transaction; on partition
assignment the consumer seeks to the stored offsets, so a crash anywhere replays exactly the
batches whose transaction did not commit. Kafka's own committed offsets are not used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from mediawatch_api.projector.decode import Decoded, make_decoder
from mediawatch_api.projector.rows import build_rows
from mediawatch_api.projector.store import Connection, load_positions, write_rows
from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import default_codec
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)

log = logging.getLogger(__name__)

ConnectionFactory = Callable[[], Connection]


class Projection:
    """Batch handler and assignment hook sharing one database connection."""

    def __init__(self, connect: ConnectionFactory, group: str) -> None:
        self._connect = connect
        self._group = group
        self._conn: Connection | None = None
        self.written = 0

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def handle(self, batch: Sequence[Record[Decoded]]) -> None:
        """Write the records not yet projected, and their positions, in one transaction."""
        conn = self._connection()
        try:
            with conn.transaction():
                stored = load_positions(conn, self._group, lock=True)
                fresh = [r for r in batch if r.offset >= stored.get((r.topic, r.partition), 0)]
                if fresh:
                    write_rows(conn, self._group, build_rows(fresh))
        except Exception:
            self.close()
            raise
        self.written += len(fresh)

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Start each assigned partition at its stored position (the beginning if none)."""
        stored = self._positions_with_retry()
        for tp in partitions:
            tp.offset = stored.get((tp.topic, tp.partition), OFFSET_BEGINNING)
        consumer.assign(partitions)
        log.info("partitions assigned", extra={"partitions": len(partitions)})

    def _positions_with_retry(self, attempts: int = 30) -> dict[tuple[str, int], int]:
        for attempt in range(attempts):
            try:
                conn = self._connection()
                with conn.transaction():
                    return load_positions(conn, self._group)
            except Exception as exc:
                self.close()
                log.warning(
                    "positions unavailable; retrying",
                    extra={"attempt": attempt + 1, "error": type(exc).__name__},
                )
                time.sleep(min(2.0 * (attempt + 1), 10.0))
        raise RuntimeError("cannot read the stored consumer positions")

    def close(self) -> None:
        """Drop the connection (a new one is opened on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def build_loop(
    projection: Projection,
    bootstrap: str,
    topics: Sequence[str],
    deadletter_topic: str,
    group: str,
    batch_size: int,
    codec: AvroCodec | None = None,
) -> ConsumerLoop[Decoded]:
    """The consumer loop driving ``projection``, decoding with ``codec`` (default: the
    repository's schemas)."""
    extra: dict[str, Any] = {"enable.partition.eof": False}
    producer = EventProducer(producer_config(bootstrap, f"{group}-deadletters"))
    return ConsumerLoop(
        consumer_config(bootstrap, group, "earliest", extra),
        topics,
        make_decoder(codec or default_codec()),
        projection.handle,
        DeadLetters(producer, deadletter_topic, group),
        batch_size=batch_size,
        on_assign=projection.on_assign,
    )
