"""The rebuild: project the whole history into a staging schema, catch up, switch."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mediawatch_common.kafka import Record
from mediawatch_common.replay import HistoryReader, Range
from mediawatch_projector.batch_writes import load_positions
from mediawatch_projector.message_decoding import Decoded
from mediawatch_projector.rebuild.swap import (
    drop_staging,
    hold_live_positions,
    staging_schema,
    switch,
)
from mediawatch_projector.service import Projection
from mediawatch_store import connect, upgrade

Progress = Callable[[int, int], None]
BATCH = 5000


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild did."""

    events: int
    seconds: float
    caught_up: int
    projecting_seconds: float = 0.0
    """Of ``seconds``, the time spent reading and projecting the history (the part that grows
    with the number of events; the rest is set-up and the switch)."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Rebuild:
    """Everything a rebuild needs, injected by the command (or a test)."""

    url: str
    schema: str
    group: str
    topics: Sequence[str]
    reader: HistoryReader

    def run(self, progress: Progress | None = None) -> RebuildReport:
        """Rebuild ``schema`` from offset zero; the live schema serves until the switch."""
        started = time.monotonic()
        staging = staging_schema(self.schema)
        with connect(self.url, self.schema) as conn:
            conn.execute("SELECT 1")
            with conn.transaction():
                drop_staging(conn, staging)
        upgrade(self.url, staging)
        projection = Projection(functools.partial(connect, self.url, staging), self.group)
        try:
            ranges = self.reader.ranges(self.topics)
            projecting = time.monotonic()
            events = _project(projection, self.reader.read_ranges(ranges, progress))
            projecting = time.monotonic() - projecting
            caught_up = self._switch(projection, staging)
        finally:
            projection.close()
        seconds = time.monotonic() - started
        return RebuildReport(events + caught_up, seconds, caught_up, projecting)

    def _switch(self, projection: Projection, staging: str) -> int:
        """Hold the live projector, catch up to where it is, then switch in one transaction."""
        with connect(self.url, self.schema) as conn, conn.transaction():
            live = hold_live_positions(conn, self.schema, self.group)
            with connect(self.url, staging) as mine:
                done = load_positions(mine, self.group)
            behind = [
                Range(topic, partition, done.get((topic, partition), 0), offset)
                for (topic, partition), offset in live.items()
                if offset > done.get((topic, partition), 0)
            ]
            caught_up = _project(projection, self.reader.read_ranges(behind))
            switch(conn, self.schema, staging)
        return caught_up


def _project(projection: Projection, records: Iterable[Record[Any]]) -> int:
    """Project ``records`` (from a reader over the projector's decoder) in batches."""
    count = 0
    for batch in _batches(cast(Iterable[Record[Decoded]], records)):
        projection.handle(batch)
        count += len(batch)
    projection.flush()
    return count


def _batches(records: Iterable[Record[Decoded]]) -> Iterator[list[Record[Decoded]]]:
    batch: list[Record[Decoded]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
