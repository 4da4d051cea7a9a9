"""Checks that read the projections or reach the brokers and the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from mediawatch_api.queries.sessions import STUCK, UNFINISHED
from mediawatch_common.health import (
    CheckResult,
    committed_lags,
    high_watermarks,
    host_resources,
    level_of,
    worst,
)
from mediawatch_common.kafka import Connection
from mediawatch_common.settings import MonitoringSettings
from mediawatch_common.stuck import stuck_cutoff

_LATEST_SAMPLES = text(
    "SELECT DISTINCT ON (host) host, sampled_at, cpu_percent, memory_percent, disk_percent "
    "FROM resource_samples WHERE sampled_at >= :since ORDER BY host, sampled_at DESC"
)


def check_system_resources(
    engine: Engine, monitoring: MonitoringSettings, path: Path, now: datetime
) -> CheckResult:
    """This host's resources and the latest sample of every worker host (last 15 minutes)."""
    local = host_resources(monitoring, path)
    statuses = [str(local.pop("status"))]
    workers: dict[str, Any] = {}
    with engine.connect() as conn:
        for r in conn.execute(_LATEST_SAMPLES, {"since": now - timedelta(minutes=15)}):
            crit = monitoring.critical_threshold
            status = worst(
                [
                    level_of(r.cpu_percent, monitoring.cpu_threshold, crit),
                    level_of(r.memory_percent, monitoring.memory_threshold, crit),
                    level_of(r.disk_percent, monitoring.disk_threshold, crit),
                ]
            )
            statuses.append(status)
            workers[r.host] = {
                "cpu_usage_percent": r.cpu_percent,
                "memory_usage_percent": r.memory_percent,
                "disk_usage_percent": r.disk_percent,
                "status": status,
                "sampled_at": r.sampled_at,
            }
    status = worst(statuses)
    message = {
        "healthy": "System resources healthy",
        "warning": "System resources high",
        "critical": "System resources critical",
    }[status]
    return CheckResult("system_resources", status, message, {**local, "workers": workers})


_PIPELINE = text(
    "SELECT coalesce(sum(attempts), 0), coalesce(sum(failures), 0), "
    "coalesce(sum(duration_sum), 0) FROM stage_minutes WHERE minute >= :since"
)
_STUCK = text(
    f"SELECT count(*) FILTER (WHERE {STUCK}), count(*) FROM sessions WHERE {UNFINISHED}"  # noqa: S608
)


def check_pipeline(engine: Engine, monitoring: MonitoringSettings, now: datetime) -> CheckResult:
    """Error rate and average duration over the last hour; stuck sessions."""
    with engine.connect() as conn:
        attempts, failures, duration = conn.execute(
            _PIPELINE, {"since": now - timedelta(hours=1)}
        ).one()
        cutoff = stuck_cutoff(now, monitoring.stuck_session_minutes)
        stuck, active = conn.execute(_STUCK, {"stuck_cutoff": cutoff}).one()
    rate = failures / attempts if attempts else 0.0
    average = duration / attempts if attempts else 0.0
    details = {
        "operations_last_hour": int(attempts),
        "error_rate": round(rate, 4),
        "average_duration_seconds": round(average, 3),
        "active_sessions": int(active),
        "stuck_sessions": int(stuck),
    }
    problems = []
    if rate > monitoring.error_rate_threshold:
        problems.append(f"error rate {rate:.1%} above {monitoring.error_rate_threshold:.0%}")
    if average > monitoring.processing_time_threshold:
        problems.append(f"average stage time {average:.0f} s")
    if stuck:
        problems.append(f"{stuck} stuck sessions")
    if problems:
        return CheckResult("processing_pipeline", "warning", "; ".join(problems), details)
    return CheckResult("processing_pipeline", "healthy", "Processing pipeline healthy", details)


def check_postgres(engine: Engine) -> CheckResult:
    """The database answers a query."""
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
    return CheckResult("postgresql", "healthy", "PostgreSQL reachable", {"version": version})


def check_kafka(
    engine: Engine, bootstrap: Connection, topics: list[str], group: str, timeout: float
) -> CheckResult:
    """The brokers answer; the lag of the projector (high watermark minus its stored position)
    and of every consumer group that commits offsets on our topics."""
    highs = high_watermarks(bootstrap, topics, timeout)
    with engine.connect() as conn:
        stored = {
            (t, p): o
            for t, p, o in conn.execute(
                text(
                    "SELECT topic, partition, next_offset FROM consumer_positions "
                    "WHERE group_id = :g"
                ),
                {"g": group},
            )
        }
    lags = {group: sum(max(0, high - stored.get(tp, 0)) for tp, high in highs.items())}
    lags.update(committed_lags(bootstrap, highs, timeout))
    present = {topic for topic, _partition in highs}
    missing = [t for t in topics if t not in present]
    details = {"consumer_lag": lags, "missing_topics": missing}
    if missing:
        return CheckResult("kafka", "warning", "Missing topics: " + ", ".join(missing), details)
    return CheckResult("kafka", "healthy", "Kafka reachable", details)
