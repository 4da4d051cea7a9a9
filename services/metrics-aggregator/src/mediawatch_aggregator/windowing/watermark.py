"""The event-time clock (watermark) of a stage, merged from the ingest's progress reports.

A partition's clock is the later of the highest event time read from it and the last time it
was read to its end minus the longest arrival delay; a stage's clock is its slowest
partition's, unknown until every partition reported. Reports merge with ``max``, so the clock
never goes back (docs/aggregator.md, "Event time, lateness, closing").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mediawatch_aggregator.windowing.window_specs import MICROS


@dataclass(frozen=True, slots=True)
class Progress:
    """What an ingest worker knows about the partitions of the pipeline topic it reads.

    Attributes:
        partitions: How many partitions the pipeline topic has.
        high: Partition -> highest event time read from it (µs since the epoch).
        confirmed: Partition -> last wall time (µs) at which it was read to its end.
    """

    partitions: int
    high: Mapping[int, int] = field(default_factory=dict)
    confirmed: Mapping[int, int] = field(default_factory=dict)


class Watermark:
    """The merged progress of every ingest report, and the clock it allows."""

    def __init__(self, max_delay_seconds: float) -> None:
        """Events reach the topic at most ``max_delay_seconds`` after their event time."""
        self._delay = round(max_delay_seconds * MICROS)
        self._partitions = 0
        self._high: dict[int, int] = {}
        self._confirmed: dict[int, int] = {}

    def observe(self, progress: Progress) -> None:
        """Merges one report."""
        self._partitions = max(self._partitions, progress.partitions)
        for facts, new in ((self._high, progress.high), (self._confirmed, progress.confirmed)):
            for partition, time in new.items():
                if time > facts.get(partition, time - 1):
                    facts[partition] = time

    def value(self) -> int | None:
        """The clock (µs), or None while a partition has not reported yet."""
        if not self._partitions:
            return None
        clock: int | None = None
        for partition in range(self._partitions):
            confirmed = self._confirmed.get(partition)
            waited = None if confirmed is None else confirmed - self._delay
            bounds = [self._high.get(partition), waited]
            known = [bound for bound in bounds if bound is not None]
            if not known:
                return None
            clock = max(known) if clock is None else min(clock, max(known))
        return clock
