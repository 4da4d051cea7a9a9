"""The rows one batch writes, grouped by table: what the row builders fill and the batch
writes store (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediawatch_projector.session_changes import SessionChanges

Row = tuple[Any, ...]
RunKey = tuple[str, str, int]
MinuteKey = tuple[datetime, str, str]


@dataclass(slots=True)
class Rows:
    """Everything one batch writes, grouped by table."""

    pipeline_events: list[Row] = field(default_factory=list)
    sessions: SessionChanges = field(default_factory=SessionChanges)
    runs: dict[RunKey, list[Any]] = field(default_factory=dict)
    opened: set[RunKey] = field(default_factory=set)
    """Runs whose StageStarted is in this batch: new ones, unless an event came twice."""
    minutes: dict[MinuteKey, list[float]] = field(default_factory=dict)
    resource_samples: list[Row] = field(default_factory=list)
    windows: dict[tuple[str, int, int, datetime], Row] = field(default_factory=dict)
    alerts_raised: dict[str, Row] = field(default_factory=dict)
    alerts_resolved: list[Row] = field(default_factory=list)
    alerts_acknowledged: list[Row] = field(default_factory=list)
    deliveries: list[Row] = field(default_factory=list)
    silences_created: dict[str, Row] = field(default_factory=dict)
    silences_expired: list[Row] = field(default_factory=list)
    logs: list[Row] = field(default_factory=list)
    health: list[Row] = field(default_factory=list)
    dead_letters: list[Row] = field(default_factory=list)
    redrives: list[Row] = field(default_factory=list)
    positions: dict[tuple[str, int], int] = field(default_factory=dict)
    lows: dict[tuple[str, int], int] = field(default_factory=dict)
    """The lowest offset read from each partition."""

    @property
    def minute_rows(self) -> list[Row]:
        """``stage_minutes`` rows: (minute, stage, code, attempts, ok, failed, duration)."""
        return [(*key, int(v[0]), int(v[1]), int(v[2]), v[3]) for key, v in self.minutes.items()]

    @property
    def run_rows(self) -> list[Row]:
        """``stage_runs`` rows in ``pipeline_rows.RUN_COLUMNS`` order."""
        return [tuple(run) for run in self.runs.values()]

    def split_run_rows(self) -> tuple[list[Row], list[Row]]:
        """:attr:`run_rows` split into the runs :attr:`opened` in this batch and the others
        (runs an earlier batch opened, which this one completes)."""
        opened: list[Row] = []
        others: list[Row] = []
        for key, run in self.runs.items():
            (opened if key in self.opened else others).append(tuple(run))
        return opened, others
