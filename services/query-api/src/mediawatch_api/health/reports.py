"""Every host's latest health report, read from the projection, merged with this host's own.

The health reporters publish a ``HealthChecked`` per host every interval; the projector keeps
them. A host whose latest report is older than ``missed_reports`` intervals gets a critical
``health_reporter`` check: its other results are shown as last reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from mediawatch_api.health.runner import HealthRunner
from mediawatch_common.health import STATUSES, HealthReport, worst

_LATEST = text(
    "SELECT DISTINCT ON (host) host, checked_at, overall_status, total_check_time_ms, checks, "
    "interval_seconds FROM health_checks WHERE checked_at >= :since "
    "AND interval_seconds IS NOT NULL ORDER BY host, checked_at DESC"
)


@dataclass(frozen=True, slots=True)
class HostReport:
    """The latest periodic report of one host, as projected."""

    host: str
    checked_at: datetime
    overall_status: str
    interval_seconds: float
    checks: tuple[dict[str, Any], ...]


def latest_reports(conn: Connection, since: datetime) -> list[HostReport]:
    """The latest periodic report of every host that reported since ``since``."""
    return [
        HostReport(r.host, r.checked_at, r.overall_status, r.interval_seconds, tuple(r.checks))
        for r in conn.execute(_LATEST, {"since": since})
    ]


def _reporter_check(report: HostReport, now: datetime, missed_reports: int) -> dict[str, Any]:
    age = (now - report.checked_at).total_seconds()
    late = age > missed_reports * report.interval_seconds
    details = {
        "last_report_at": report.checked_at,
        "report_age_seconds": round(age, 1),
        "interval_seconds": report.interval_seconds,
    }
    message = (
        f"No health report for {age:.0f} s (one expected every {report.interval_seconds:g} s)"
        if late
        else "Health reporter reporting"
    )
    return {
        "component": "health_reporter",
        "host": report.host,
        "checked_at": now,
        "status": "critical" if late else "healthy",
        "message": message,
        "details": details,
        "response_time_ms": 0.0,
    }


def _reported(report: HostReport) -> list[dict[str, Any]]:
    return [
        {
            "component": c["component"],
            "host": report.host,
            "checked_at": report.checked_at,
            "status": c["status"],
            "message": c["message"],
            "details": c.get("details") or {},
            "response_time_ms": round(float(c.get("response_time_ms", 0.0)), 2),
        }
        for c in report.checks
    ]


def merge(
    own: HealthReport,
    own_host: str,
    reports: Sequence[HostReport],
    now: datetime,
    missed_reports: int,
) -> dict[str, Any]:
    """One detailed health document: this host's checks, then every reporting host's latest
    results and whether its reporter is on time, each check naming its host (pure)."""
    checks = [
        {**c, "host": own_host, "checked_at": own.checked_at} for c in own.as_json()["checks"]
    ]
    for report in sorted(reports, key=lambda r: r.host):
        checks.append(_reporter_check(report, now, missed_reports))
        checks += _reported(report)
    statuses = [str(c["status"]) for c in checks]
    return {
        "overall_status": worst([s for s in statuses if s in STATUSES]),
        "timestamp": own.checked_at,
        "total_check_time_ms": round(own.total_ms, 2),
        "checks": checks,
        "summary": {"total_checks": len(checks), **{s: statuses.count(s) for s in STATUSES}},
        "hosts": sorted({own_host, *(r.host for r in reports)}),
    }


def detailed(
    runner: HealthRunner, conn: Connection, now: datetime, missed_reports: int, hours: int
) -> dict[str, Any]:
    """This host's checks (fresh or cached) with the latest report of every host that
    reported within ``hours``."""
    own, cached = runner.report()
    reports = latest_reports(conn, now - timedelta(hours=hours))
    return {**merge(own, runner.host, reports, now, missed_reports), "cached": cached}
