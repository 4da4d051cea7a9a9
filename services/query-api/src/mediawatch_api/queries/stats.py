"""``stats?hours=N``: outcomes of the stages completed in the last N hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

# Whole hours come from the hourly rollup; only the minutes before the first whole hour are
# read per minute (at most 59 minutes' rows instead of all of them).
_SQL = text(
    "SELECT stage, error_code, sum(attempts), sum(successes), sum(failures), sum(duration_sum) "
    "FROM (SELECT stage, error_code, attempts, successes, failures, duration_sum "
    "FROM stage_hours WHERE hour >= :edge UNION ALL "
    "SELECT stage, error_code, attempts, successes, failures, duration_sum "
    "FROM stage_minutes WHERE minute >= :since AND minute < :edge) AS outcome "
    "GROUP BY stage, error_code"
)
_ORDER = (
    "upload",
    "analysis",
    "preparation",
    "merging",
    "compression",
    "storage_upload",
    "cleanup",
)


def _rate(part: int, total: int) -> float:
    return round(part / total, 4) if total else 0.0


def _summary(total: int, ok: int, failed: int, duration: float) -> dict[str, Any]:
    return {
        "total_operations": total,
        "successful_operations": ok,
        "failed_operations": failed,
        "success_rate": _rate(ok, total),
        "error_rate": _rate(failed, total),
        "average_duration_seconds": round(duration / total, 3) if total else 0.0,
    }


def first_whole_hour(since: datetime) -> datetime:
    """The first UTC hour boundary at or after ``since``."""
    at = since.astimezone(UTC)
    start = at.replace(minute=0, second=0, microsecond=0)
    return start if start == at else start + timedelta(hours=1)


def processing_stats(conn: Connection, hours: int, now: datetime) -> dict[str, Any]:
    """Totals, rates, average duration, per-stage and per-error-code breakdowns.

    Counts come from per-minute rollups, so the window starts at the minute boundary.
    """
    since = (now - timedelta(hours=hours)).replace(second=0, microsecond=0)
    stages: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    bounds = {"since": since, "edge": first_whole_hour(since)}
    for stage, code, attempts, ok, failed, duration in conn.execute(_SQL, bounds):
        acc = stages.setdefault(stage, [0, 0, 0, 0.0])
        for i, value in enumerate((attempts, ok, failed, duration)):
            acc[i] += value
        if code:
            errors[code] = errors.get(code, 0) + int(failed)
    total = [sum(acc[i] for acc in stages.values()) for i in range(4)]
    ordered = sorted(stages, key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER))
    return {
        "period_hours": hours,
        "since": since,
        **_summary(int(total[0]), int(total[1]), int(total[2]), float(total[3])),
        "stage_breakdown": {
            s: _summary(int(stages[s][0]), int(stages[s][1]), int(stages[s][2]), stages[s][3])
            for s in ordered
        },
        "error_breakdown": dict(sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
