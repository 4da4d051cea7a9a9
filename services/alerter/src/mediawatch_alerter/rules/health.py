"""ffmpeg, storage, log files and temp directory problems, from each host's health reports.

A periodic reporter's alert resolves only when a later report finds the component healthy; a
report run on demand holds for ``valid_for_seconds``.
"""

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
    "temp_directory": (
        "temp_directory_problem",
        "Temp Directory Problem",
        AlertLevel.CRITICAL,
        AlertLevel.WARNING,
    ),
}

RULES = frozenset(rule for rule, *_ in COMPONENTS.values())
"""Names of the alerts this rule raises, all labelled by host."""


class HealthRule(Rule):
    """Each :class:`HealthChecked` judges ffmpeg, storage, log files and temp directory of
    its host.

    ffmpeg, storage and temp directory in ``critical`` status are CRITICAL (the worker cannot
    work), a ``warning`` status is WARNING; log-file problems are WARNING. ``healthy``
    resolves.
    """

    def __init__(self, on_demand_valid_for: float | None) -> None:
        self._on_demand_valid_for = on_demand_valid_for
        self.emits = dict.fromkeys(RULES)

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
        periodic = event.interval_seconds is not None
        return Finding(
            rule=rule,
            labels=labels,
            level=critical if status == "critical" else warning,
            title=f"{title}: {event.host}",
            message=check.message,
            metadata={"component": check.component, "status": status, **check.details},
            starts_at=event.checked_at,
            valid_for_seconds=None if periodic else self._on_demand_valid_for,
        )
