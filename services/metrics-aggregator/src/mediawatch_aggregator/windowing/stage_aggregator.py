"""Per-stage window aggregation over a key-value store (a Faust table, or a dict in tests).

Time comes in as an argument and every change is written back with ``store[key] = value``, so a
changelog-backed table records it. An event whose pane ended more than the grace before the
stage's clock, or lies in a closed window, is late; a pane is forgotten only once every window
holding it is closed (docs/aggregator.md, "Event time, lateness, closing").
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from mediawatch_aggregator.windowing.completion_rows import RowValues
from mediawatch_aggregator.windowing.panes import Outcomes, Pane
from mediawatch_aggregator.windowing.sliding_windows import window_outcomes
from mediawatch_aggregator.windowing.stage_state import (
    StageMeta,
    StateValue,
    meta_key,
    pane_key,
    pane_prefix,
)
from mediawatch_aggregator.windowing.watermark import Progress, Watermark
from mediawatch_aggregator.windowing.window_specs import MICROS, WindowSpec, pane_seconds

RESULT_NAMESPACE = uuid.UUID("9f4f2b56-3d2e-4a51-9b6e-6f1c0b7a5d10")


@dataclass(frozen=True, slots=True)
class AggregationConfig:
    """How windows are cut and how long late events are accepted and remembered."""

    specs: tuple[WindowSpec, ...]
    grace_seconds: float
    retention_seconds: float
    alpha: float
    max_delay_seconds: float = 5.0

    pane: int = field(init=False)
    """Pane length in µs."""
    grace: int = field(init=False)
    """Grace period in µs."""
    horizon: int = field(init=False)
    """How long after its end a pane is kept (µs): the longest window, grace, retention."""

    def __post_init__(self) -> None:
        grace = round(self.grace_seconds * MICROS)
        longest = max(spec.size for spec in self.specs)
        object.__setattr__(self, "pane", pane_seconds(self.specs) * MICROS)
        object.__setattr__(self, "grace", grace)
        retention = round(self.retention_seconds * MICROS)
        object.__setattr__(self, "horizon", longest + grace + retention)


@dataclass(frozen=True, slots=True)
class WindowResult:
    """The statistics of one stage over one window."""

    stage: str
    spec: WindowSpec
    start: int
    outcomes: Outcomes
    late: int
    closed: bool

    @property
    def end(self) -> int:
        """Exclusive end (µs)."""
        return self.start + self.spec.size

    def result_id(self) -> uuid.UUID | None:
        """A stable id for a closed result (same window and late count, same id), else None."""
        if not self.closed:
            return None
        name = f"{self.stage}|{self.spec.label}|{self.start}|{self.late}"
        return uuid.uuid5(RESULT_NAMESPACE, name)


@dataclass(slots=True)
class Applied:
    """What one call of :meth:`StageAggregator.apply` did with its rows."""

    counted: int = 0
    late: int = 0
    duplicates: int = 0
    expired: int = 0


@dataclass(slots=True)
class Closing:
    """Windows due to close and the close marks to store once their results are published."""

    results: list[WindowResult] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)


class StageAggregator:
    """Panes and windows of every stage, kept in ``store``."""

    def __init__(self, config: AggregationConfig, store: MutableMapping[str, StateValue]) -> None:
        """Creates the aggregator.

        Args:
            config: Window specs, grace, retention and sketch accuracy.
            store: Where panes and meta records live; every change is written back to it.
        """
        self.config = config
        self.store = store
        self._watermarks: dict[str, Watermark] = {}
        self._dirty: dict[str, dict[int, bool]] = {}

    def meta(self, stage: str) -> StageMeta:
        """The meta record of ``stage`` (a fresh one if none is stored)."""
        value = self.store.get(meta_key(stage))
        return value if isinstance(value, StageMeta) else StageMeta()

    def observe(self, stage: str, progress: Progress) -> None:
        """Takes in an ingest worker's progress report for ``stage`` (moves its clock).

        A report must reach a stage in order with the stage's rows (the same partition of the
        internal topic): a report read from another partition may run ahead of rows that
        were sent before it, which would then be judged late.
        """
        found = self._watermarks.get(stage)
        if found is None:
            found = self._watermarks[stage] = Watermark(self.config.max_delay_seconds)
        found.observe(progress)

    def clock(self, stage: str) -> int | None:
        """The event-time clock of ``stage`` (µs); None until every source partition reported."""
        found = self._watermarks.get(stage)
        return None if found is None else found.value()

    def _gone(self, meta: StageMeta, start: int, clock: int | None) -> bool:
        """Whether the pane at ``start`` is past its horizon and every window holding it closed."""
        if clock is None or start + self.config.pane + self.config.horizon > clock:
            return False
        for spec in self.config.specs:
            mark = meta.closed.get(spec.label)
            if mark is None or start // spec.hop * spec.hop > mark:
                return False
        return True

    def apply(self, stage: str, rows: Iterable[RowValues]) -> Applied:
        """Counts ``rows`` of ``stage``; replays are skipped, late rows reported apart."""
        cfg, applied = self.config, Applied()
        clock = self.clock(stage)
        meta, panes, gone = self.meta(stage), dict[int, Pane](), set[int]()
        sealed_below = self._sealed_below(meta, clock)
        dirty = self._dirty.setdefault(stage, {})
        size = cfg.pane
        for partition, offset, time, success, code, duration in rows:
            start = time // size * size
            pane = panes.get(start)
            if pane is None:
                if start in gone or self._gone(meta, start, clock):
                    gone.add(start)
                    applied.expired += 1
                    continue
                pane = panes[start] = self._pane(stage, start)
            if not pane.is_new(partition, offset):
                applied.duplicates += 1
                continue
            pane.take(partition, offset)
            if start < sealed_below:
                pane.late += 1
                applied.late += 1
                dirty[start] = True
            else:
                pane.outcomes.add(success, code, duration)
                applied.counted += 1
                dirty.setdefault(start, False)
        for start, pane in panes.items():
            self.store[pane_key(stage, start)] = pane
        return applied

    def _sealed_below(self, meta: StageMeta, clock: int | None) -> int:
        """Panes starting before this (µs) are sealed: their events are late."""
        bounds = [
            meta.closed[spec.label] + spec.size
            for spec in self.config.specs
            if spec.label in meta.closed
        ]
        if clock is not None:
            bounds.append(clock - self.config.pane - self.config.grace + 1)
        return max(bounds, default=-1)

    def _pane(self, stage: str, start: int) -> Pane:
        value = self.store.get(pane_key(stage, start))
        return value if isinstance(value, Pane) else Pane.empty(self.config.alpha)

    def panes(self, stage: str) -> dict[int, Pane]:
        """Every stored pane of ``stage`` by start."""
        prefix = pane_prefix(stage)
        found = {}
        for key in list(self.store.keys()):
            value = self.store.get(key)
            if key.startswith(prefix) and isinstance(value, Pane):
                found[int(key[len(prefix) :])] = value
        return found

    def result(
        self, stage: str, spec: WindowSpec, start: int, panes: dict[int, Pane], closed: bool
    ) -> WindowResult:
        """Merges the panes of one window into its result."""
        outcomes, late = Outcomes(self.config.alpha), 0
        for pane_start in sorted(panes):
            if start <= pane_start < start + spec.size:
                outcomes.merge(panes[pane_start].outcomes)
                late += panes[pane_start].late
        return WindowResult(stage, spec, start, outcomes, late, closed)

    def results(
        self, stage: str, spec: WindowSpec, starts: Mapping[int, bool], panes: dict[int, Pane]
    ) -> list[WindowResult]:
        """Results of the windows of ``spec`` at ``starts`` (start -> closed), in start order;
        the same as :meth:`result` for each, computed by sliding over the panes."""
        found = window_outcomes(spec.size, starts, panes, self.config.alpha)
        return [
            WindowResult(stage, spec, start, outcomes, late, starts[start])
            for start, outcomes, late in found
        ]

    def updates(
        self, stage: str, skip: Collection[tuple[WindowSpec, int]] = ()
    ) -> list[WindowResult]:
        """Results of the windows whose panes changed since the last call.

        Open windows are reported with ``closed=False``; a closed window whose pane received
        late events is reported again, closed, with its new ``late_events``. Windows in
        ``skip`` (closing in the same pass) are left out.
        """
        dirty = self._dirty.pop(stage, {})
        clock = self.clock(stage)
        if not dirty or clock is None:
            return []
        meta, panes = self.meta(stage), self.panes(stage)
        wanted: dict[tuple[WindowSpec, int], bool] = {}
        for spec in self.config.specs:
            last_closed = meta.closed.get(spec.label)
            for pane_start, late_changed in dirty.items():
                for start in spec.starts_containing(pane_start, self.config.pane):
                    closed = last_closed is not None and start <= last_closed
                    kept = start + self.config.pane + self.config.horizon > clock
                    if (spec, start) in skip:
                        continue
                    if not closed or (late_changed and kept):
                        wanted[(spec, start)] = closed
        by_spec: dict[WindowSpec, dict[int, bool]] = {}
        for (spec, start), closed in wanted.items():
            by_spec.setdefault(spec, {})[start] = closed
        return [
            result
            for spec in sorted(by_spec)
            for result in self.results(stage, spec, by_spec[spec], panes)
        ]

    def due_closings(self, stage: str) -> Closing:
        """The windows of ``stage`` whose end plus grace the clock has passed, in order."""
        clock = self.clock(stage)
        closing = Closing()
        if clock is None:
            return closing
        meta, panes = self.meta(stage), self.panes(stage)
        for spec in self.config.specs:
            last = meta.closed.get(spec.label)
            upto = spec.last_closed_start(clock - self.config.grace)
            if last is not None and upto <= last:
                continue
            starts = {
                start
                for pane_start in panes
                for start in spec.starts_containing(pane_start, self.config.pane)
                if start <= upto and (last is None or start > last)
            }
            closing.results += self.results(stage, spec, dict.fromkeys(starts, True), panes)
            closing.marks[spec.label] = upto
        return closing

    def mark_closed(self, stage: str, closing: Closing) -> None:
        """Stores the close marks once the closing's results are published."""
        if closing.marks:
            meta = self.meta(stage)
            meta.closed.update(closing.marks)
            self.store[meta_key(stage)] = meta

    def expire(self, stage: str) -> int:
        """Deletes the panes no window or late report needs any more; returns how many.

        Only panes whose windows are all closed go: a pane the clock jumped past before its
        windows closed is kept until they are.
        """
        clock = self.clock(stage)
        if clock is None:
            return 0
        meta = self.meta(stage)
        old = [start for start in self.panes(stage) if self._gone(meta, start, clock)]
        for start in old:
            del self.store[pane_key(stage, start)]
        return len(old)
