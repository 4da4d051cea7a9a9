"""ffmpeg unavailable, storage unreachable, log-file problems: from the health check results."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import AlertLevel, Event, HealthChecked, HealthCheckResult

# component -> (rule, title prefix, level when critical, level when warning)
COMPONENTS = {
    "ffmpeg": ("ffmpeg_unavailable", "FFmpeg Unavailable", AlertLevel.CRITICAL, AlertLevel.WARNING),
    "storage": (
        "storage_unreachable",
        "Storage Unreachable",
        AlertLevel.CRITICAL,
        AlertLevel.WARNING,
    ),
    "log_files": ("log_file_problem", "Log File Problem", AlertLevel.WARNING, AlertLevel.WARNING),
}


class HealthRule(Rule):
    """Each :class:`HealthChecked` judges ffmpeg, storage and log files on its host.

    ffmpeg and storage in ``critical`` status are CRITICAL (the service cannot work), a
    ``warning`` status is WARNING; log-file problems are WARNING. ``healthy`` resolves.
    """

    def __init__(self, valid_for_seconds: float | None) -> None:
        self._valid_for = valid_for_seconds
        self.emits = {rule: valid_for_seconds for rule, *_ in COMPONENTS.values()}

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, HealthChecked):
            return ()
        return [
            self._finding(event, check) for check in event.checks if check.component in COMPONENTS
        ]

    def _finding(self, event: HealthChecked, check: HealthCheckResult) -> Finding:
        rule, title, critical, warning = COMPONENTS[check.component]
        labels = {"host": event.host}
        status = check.status.lower()
        if status not in ("warning", "critical"):
            return Finding(
                rule=rule, labels=labels, level=None, reason=f"{check.component} healthy"
            )
        return Finding(
            rule=rule,
            labels=labels,
            level=critical if status == "critical" else warning,
            title=f"{title}: {event.host}",
            message=check.message,
            metadata={"component": check.component, "status": status, **check.details},
            starts_at=event.checked_at,
            valid_for_seconds=self._valid_for,
        )
