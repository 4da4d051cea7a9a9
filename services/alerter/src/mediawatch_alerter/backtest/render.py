"""A backtest report as rich tables for people, or as one JSON document for tools."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mediawatch_alerter.backtest.report import Report
from mediawatch_common.alerting import iso_z

_STYLE = {"CRITICAL": "bold red", "ERROR": "red", "WARNING": "yellow", "INFO": "cyan"}


def duration(seconds: float) -> str:
    """``45s``, ``12m 03s``, ``3h 05m``, ``2d 04h``: readable at a glance."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def report_tables(report: Report) -> Group | Text:
    """The per-rule summary, then every alert in firing order."""
    if not report.alerts:
        return Text(f"no alert would have fired ({report.events} events replayed)")
    summary = Table(title=f"Would have fired ({report.events} events replayed)")
    for column in ("rule", "alerts", "fingerprints", "first", "last", "firing for"):
        summary.add_column(column, justify="right" if column != "rule" else "left")
    for rule in report.rules:
        summary.add_row(
            rule.rule,
            str(rule.count),
            str(rule.fingerprints),
            iso_z(rule.first),
            iso_z(rule.last),
            duration(rule.firing_seconds),
        )
    alerts = Table(title="Alerts in time order")
    alerts.add_column("fired (UTC)", no_wrap=True)
    alerts.add_column("firing for", no_wrap=True)
    alerts.add_column("level", no_wrap=True)
    alerts.add_column("alert", overflow="fold")
    end = report.end or max(a.resolved_at or a.fired_at for a in report.alerts)
    for alert in report.alerts:
        level = alert.level.value
        span = duration(alert.firing_seconds(end))
        alerts.add_row(
            alert.fired_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            span if alert.resolved_at else f"{span}\n[bold]still firing[/bold]",
            f"[{_STYLE.get(level, '')}]{level.lower()}[/]",
            f"{escape(alert.fingerprint)}\n[dim]{escape(alert.title)}[/dim]",
        )
    return Group(summary, alerts)


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values (times in ISO 8601, UTC)."""
    end = report.end or max((a.resolved_at or a.fired_at for a in report.alerts), default=None)
    return {
        "from": iso_z(report.start) if report.start else None,
        "to": iso_z(report.end) if report.end else None,
        "events": report.events,
        "rules": [
            {
                "rule": r.rule,
                "count": r.count,
                "fingerprints": r.fingerprints,
                "first": iso_z(r.first),
                "last": iso_z(r.last),
                "firing_seconds": round(r.firing_seconds, 3),
            }
            for r in report.rules
        ],
        "alerts": [
            {
                "alert_id": a.alert_id,
                "rule": a.rule,
                "level": a.level.value.lower(),
                "fingerprint": a.fingerprint,
                "title": a.title,
                "fired_at": iso_z(a.fired_at),
                "resolved_at": iso_z(a.resolved_at) if a.resolved_at else None,
                "resolve_reason": a.resolve_reason,
                "firing_seconds": round(a.firing_seconds(end), 3) if end else 0.0,
            }
            for a in report.alerts
        ],
    }
