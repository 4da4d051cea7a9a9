"""``metrics/system?hours=N``: resource samples of every worker host as time series."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

_SQL = text(
    "SELECT host, sampled_at, cpu_percent, memory_percent, disk_percent, active_sessions, "
    "temp_dir_bytes FROM resource_samples WHERE sampled_at >= :since "
    "ORDER BY sampled_at, host LIMIT :cap"
)


def system_metrics(conn: Connection, hours: int, now: datetime, cap: int) -> dict[str, Any]:
    """Up to ``cap`` samples since ``now - hours``, oldest first."""
    since = now - timedelta(hours=hours)
    rows = conn.execute(_SQL, {"since": since, "cap": cap}).fetchall()
    series = [
        {
            "timestamp": r.sampled_at.isoformat(),
            "host": r.host,
            "cpu_usage_percent": r.cpu_percent,
            "memory_usage_percent": r.memory_percent,
            "disk_usage_percent": r.disk_percent,
            "active_sessions": r.active_sessions,
            "temp_dir_size_bytes": r.temp_dir_bytes,
        }
        for r in rows
    ]
    return {
        "period_hours": hours,
        "hosts": sorted({point["host"] for point in series}),
        "metrics": series,
        "count": len(series),
        "truncated": len(series) == cap,
    }
