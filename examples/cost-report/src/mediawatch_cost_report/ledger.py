"""The cost arithmetic, kept apart from Kafka so it is tested on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mediawatch_common.events import StageCompleted


@dataclass(frozen=True, slots=True)
class CostRow:
    """What one user's work cost in one stage."""

    user_id: str
    stage: str
    runs: int
    failures: int
    cpu_seconds: float
    gigabytes_in: float

    @property
    def cpu_seconds_per_gb(self) -> float | None:
        """CPU time per gigabyte of input (None when nothing was read)."""
        return self.cpu_seconds / self.gigabytes_in if self.gigabytes_in else None


class CostLedger:
    """Adds up CPU-seconds (``cpu_percent`` x duration) and input volume per user and stage.

    Counting is idempotent on ``event_id``, so a redelivered event is not billed twice.
    """

    def __init__(self) -> None:
        self._seen: set[object] = set()
        self._totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])

    def add(self, event: StageCompleted) -> None:
        """Account for one completed stage."""
        if event.event_id in self._seen:
            return
        self._seen.add(event.event_id)
        total = self._totals[(event.user_id, event.stage.label)]
        total[0] += 1
        total[1] += 0 if event.success else 1
        total[2] += (event.cpu_percent or 0.0) / 100.0 * event.duration_seconds
        total[3] += (event.input_size_bytes or 0) / 1e9

    def rows(self) -> list[CostRow]:
        """One row per (user, stage), most expensive first."""
        rows = [
            CostRow(user, stage, int(t[0]), int(t[1]), round(t[2], 3), round(t[3], 6))
            for (user, stage), t in self._totals.items()
        ]
        return sorted(rows, key=lambda r: (-r.cpu_seconds, r.user_id, r.stage))
