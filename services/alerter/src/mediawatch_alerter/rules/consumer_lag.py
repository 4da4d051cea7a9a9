"""Consumer lag high: a consumer group further behind than the reporter's threshold.

Reads each group's lag and the threshold from the health reporter's ``consumer_lag`` check.
"""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import AlertLevel, Event, HealthChecked, HealthCheckResult

NAME = "consumer_lag_high"
COMPONENT = "consumer_lag"
PREFIX = "lag."


def lags_of(check: HealthCheckResult) -> dict[str, int]:
    """Each group's lag in a ``consumer_lag`` result."""
    return {
        key.removeprefix(PREFIX): int(value)
        for key, value in check.details.items()
        if key.startswith(PREFIX) and isinstance(value, int | float)
    }


class ConsumerLagRule(Rule):
    """One alert per consumer group whose lag is above the reported threshold."""

    def __init__(self) -> None:
        self.emits = {NAME: None}
        self._reported: dict[str, set[str]] = {}
        """Groups in each host's previous report, to resolve those that disappear."""

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, HealthChecked):
            return ()
        check = next((c for c in event.checks if c.component == COMPONENT), None)
        threshold = check.details.get("threshold") if check else None
        if check is None or not isinstance(threshold, int):
            return ()
        lags = lags_of(check)
        gone = self._reported.get(event.host, set()) - set(lags)
        self._reported[event.host] = set(lags)
        findings = [self._finding(event.host, g, lag, threshold) for g, lag in lags.items()]
        findings += [
            Finding(rule=NAME, labels={"group": g}, level=None, reason="group no longer reported")
            for g in sorted(gone)
        ]
        return findings

    @staticmethod
    def _finding(host: str, group: str, lag: int, threshold: int) -> Finding:
        if lag <= threshold:
            return Finding(
                rule=NAME, labels={"group": group}, level=None, reason=f"lag {lag} <= {threshold}"
            )
        return Finding(
            rule=NAME,
            labels={"group": group},
            level=AlertLevel.WARNING,
            title=f"Consumer Lag High: {group}",
            message=f"Consumer group {group} is {lag} messages behind (threshold {threshold})",
            context={"host": host},
            metadata={"lag": lag, "threshold": threshold},
        )
