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
# Averages per host and bucket; sessions and temp dir size are the bucket's highest.
_BUCKETED = text(
    "SELECT host, date_bin(make_interval(secs => :bucket), sampled_at, "
    "TIMESTAMPTZ '1970-01-01 00:00:00+00') AS sampled_at, avg(cpu_percent) AS cpu_percent, "
    "avg(memory_percent) AS memory_percent, avg(disk_percent) AS disk_percent, "
    "max(active_sessions) AS active_sessions, max(temp_dir_bytes) AS temp_dir_bytes "
    "FROM resource_samples WHERE sampled_at >= :since GROUP BY 1, 2 ORDER BY 2, 1 LIMIT :cap"
)


def _averaged(value: float) -> float:
    return round(float(value), 2)


def _raw(value: float) -> float:
    return value


def system_metrics(
    conn: Connection, hours: int, now: datetime, cap: int, bucket_seconds: int | None = None
) -> dict[str, Any]:
    """Up to ``cap`` samples since ``now - hours``, oldest first; averaged per
    ``bucket_seconds`` and host when given."""
    since = now - timedelta(hours=hours)
    params = {"since": since, "cap": cap, "bucket": bucket_seconds}
    rows = conn.execute(_BUCKETED if bucket_seconds else _SQL, params).fetchall()
    num = _averaged if bucket_seconds else _raw
    series = [
        {
            "timestamp": r.sampled_at,
            "host": r.host,
            "cpu_usage_percent": num(r.cpu_percent),
            "memory_usage_percent": num(r.memory_percent),
            "disk_usage_percent": num(r.disk_percent),
            "active_sessions": int(r.active_sessions),
            "temp_dir_size_bytes": int(r.temp_dir_bytes),
        }
        for r in rows
    ]
    return {
        "period_hours": hours,
        "bucket_seconds": bucket_seconds,
        "hosts": sorted({point["host"] for point in series}),
        "metrics": series,
        "count": len(series),
        "truncated": len(series) == cap,
    }
