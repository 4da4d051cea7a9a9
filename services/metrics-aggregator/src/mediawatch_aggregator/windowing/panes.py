"""The state of one stage over one pane: outcome counts, durations, sketch, late events.

A pane remembers, per source partition, the highest offset it took in, so replays after a
crash or a rebalance are skipped: counting is idempotent under at-least-once delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mediawatch_aggregator.windowing.quantile_sketch import DEFAULT_ALPHA, LogSketch


@dataclass(slots=True)
class Outcomes:
    """Mergeable statistics of stage completions."""

    alpha: float = DEFAULT_ALPHA
    attempts: int = 0
    successes: int = 0
    failures_by_code: dict[str, int] = field(default_factory=dict)
    duration_sum: float = 0.0
    duration_min: float | None = None
    duration_max: float | None = None
    sketch: LogSketch = field(init=False)

    def __post_init__(self) -> None:
        self.sketch = LogSketch(self.alpha)

    @property
    def failures(self) -> int:
        """Attempts that failed."""
        return self.attempts - self.successes

    def add(self, success: bool, code: str | None, duration: float) -> None:
        """Counts one completion."""
        self.attempts += 1
        if success:
            self.successes += 1
        else:
            key = code or "UNKNOWN"
            self.failures_by_code[key] = self.failures_by_code.get(key, 0) + 1
        self.duration_sum += duration
        if self.duration_min is None or duration < self.duration_min:
            self.duration_min = duration
        if self.duration_max is None or duration > self.duration_max:
            self.duration_max = duration
        self.sketch.add(duration)

    def merge(self, other: Outcomes) -> None:
        """Adds ``other`` into this one."""
        self.attempts += other.attempts
        self.successes += other.successes
        for code, n in other.failures_by_code.items():
            self.failures_by_code[code] = self.failures_by_code.get(code, 0) + n
        self.duration_sum += other.duration_sum
        if other.duration_min is not None:
            if self.duration_min is None or other.duration_min < self.duration_min:
                self.duration_min = other.duration_min
            if self.duration_max is None or other.duration_max > self.duration_max:  # type: ignore[operator]
                self.duration_max = other.duration_max
        self.sketch.merge(other.sketch)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "n": self.attempts,
            "ok": self.successes,
            "codes": dict(self.failures_by_code),
            "sum": self.duration_sum,
            "min": self.duration_min,
            "max": self.duration_max,
            "sketch": self.sketch.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcomes:
        """Rebuilds what :meth:`to_dict` wrote."""
        sketch = LogSketch.from_dict(data["sketch"])
        out = cls(sketch.alpha, int(data["n"]), int(data["ok"]), dict(data["codes"]))
        out.duration_sum = float(data["sum"])
        out.duration_min = data["min"]
        out.duration_max = data["max"]
        out.sketch = sketch
        return out


@dataclass(slots=True)
class Pane:
    """One stage over one pane: on-time outcomes, late events and the offsets taken in."""

    outcomes: Outcomes
    late: int = 0
    offsets: dict[int, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, alpha: float = DEFAULT_ALPHA) -> Pane:
        """A pane with nothing counted."""
        return cls(Outcomes(alpha))

    def is_new(self, partition: int, offset: int) -> bool:
        """True unless the event at ``offset`` of ``partition`` was already taken in."""
        return offset > self.offsets.get(partition, -1)

    def take(self, partition: int, offset: int) -> None:
        """Records that the event at ``offset`` of ``partition`` was taken in."""
        self.offsets[partition] = offset

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "out": self.outcomes.to_dict(),
            "late": self.late,
            "offsets": {str(p): o for p, o in self.offsets.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pane:
        """Rebuilds what :meth:`to_dict` wrote."""
        offsets = {int(p): int(o) for p, o in data["offsets"].items()}
        return cls(Outcomes.from_dict(data["out"]), int(data["late"]), offsets)
