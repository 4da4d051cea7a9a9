"""Health reporter missing: a host whose periodic reports stopped (a dead man's switch).

A host silent for ``missed_reports`` of the intervals its last report announced raises
``health_reporter_missing``; its next report resolves it. Judged on ticks, only when live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import AlertLevel, Event, HealthChecked

NAME = "health_reporter_missing"


@dataclass(slots=True)
class _Host:
    last: datetime
    interval: float


class ReporterMissingRule(Rule):
    """Watches every host that has sent a periodic health report."""

    def __init__(self, missed_reports: int) -> None:
        self._missed = missed_reports
        self._hosts: dict[str, _Host] = {}
        self.live = True
        self.emits = {NAME: None}

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts being watched."""
        return frozenset(self._hosts)

    def recall(self, event: Event) -> None:
        """A report read back at start: its host is watched from that report on."""
        self.on_event(event, lambda _fingerprint: None)

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, HealthChecked) or event.interval_seconds is None:
            return ()
        known = self._hosts.get(event.host)
        if known is None or event.checked_at >= known.last:
            self._hosts[event.host] = _Host(event.checked_at, event.interval_seconds)
        return (
            Finding(
                rule=NAME, labels={"host": event.host}, level=None, reason="host reported again"
            ),
        )

    def on_tick(self, now: datetime, level_of: LevelOf) -> Sequence[Finding]:
        if not self.live:
            return ()
        return [
            self._finding(host, seen, now)
            for host, seen in self._hosts.items()
            if (now - seen.last).total_seconds() > self._missed * seen.interval
        ]

    def _finding(self, host: str, seen: _Host, now: datetime) -> Finding:
        silent = (now - seen.last).total_seconds()
        return Finding(
            rule=NAME,
            labels={"host": host},
            level=AlertLevel.ERROR,
            title=f"Health Reporter Missing: {host}",
            message=(
                f"No health report from {host} for {silent:.0f} s "
                f"({self._missed} reports of every {seen.interval:g} s missed); "
                "its health alerts stay as last reported"
            ),
            metadata={
                "seconds_since_report": round(silent, 1),
                "interval_seconds": seen.interval,
                "last_report_at": seen.last.isoformat(),
            },
            starts_at=seen.last,
        )
