"""The event-time clock of each stage, tracked per source partition.

Each partition's highest event time is advanced by the wall-clock time elapsed since it last
moved. The clock is the slowest partition still active (one that moved within
``idle_seconds``), or the fastest when all are idle, and it never goes back. While events flow
it follows event time, so a replay of old history or a lagging partition is not late; on an
idle pipeline it follows the wall clock, so windows close even when no event arrives.

The partitions' event times live in the stage's :class:`~mediawatch_aggregator.state.StageMeta`
(changelog-backed); when each last moved, and the floor, are kept in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_aggregator.rows import Row
from mediawatch_aggregator.state import StageMeta
from mediawatch_aggregator.windows import MICROS


class StageClocks:
    """Wall time of each partition's last move and the floor of each stage's clock."""

    def __init__(self, idle_seconds: float) -> None:
        """Partitions silent for ``idle_seconds`` stop holding a stage's clock back."""
        self._idle = round(idle_seconds * MICROS)
        self._seen_at: dict[str, dict[int, int]] = {}
        self._floor: dict[str, int] = {}

    def value(self, stage: str, meta: StageMeta, now: int) -> int | None:
        """The clock of ``stage`` at wall time ``now`` (µs); None before its first event."""
        if not meta.clocks:
            return None
        seen = self._seen_at.setdefault(stage, {})
        active, every = [], []
        for partition, time in meta.clocks.items():
            elapsed = max(0, now - seen.setdefault(partition, now))
            every.append(time + elapsed)
            if elapsed <= self._idle:
                active.append(time + elapsed)
        value = max(min(active) if active else max(every), self._floor.get(stage, 0))
        self._floor[stage] = value
        return value

    def advance(self, stage: str, meta: StageMeta, rows: Sequence[Row], now: int) -> None:
        """Moves the partitions of ``rows`` to their highest event time, seen at ``now``."""
        seen = self._seen_at.setdefault(stage, {})
        for row in rows:
            if row.time > meta.clocks.get(row.partition, -1):
                meta.clocks[row.partition] = row.time
                seen[row.partition] = now
