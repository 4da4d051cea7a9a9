"""Error rate over a window above ``MONITORING_ERROR_RATE_THRESHOLD`` -> ERROR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mediawatch_alerter.alerts.finding import Finding, fingerprint
from mediawatch_alerter.rules.base import LevelOf, Rule, Threshold, level_for
from mediawatch_common.events import AlertLevel, Event, Stage, WindowAggregated

NAME = "high_error_rate"


class ErrorRateRule(Rule):
    """Reads the aggregator's window results per stage and window length.

    Windows with fewer than ``min_attempts`` attempts are not judged (two failures out of
    three says little). Results of windows older than the newest closed one are ignored, so
    a late update of an old hopping window cannot flip the alert. With no new results (an
    idle pipeline), a firing alert resolves once a window length has passed unobserved.
    """

    def __init__(self, threshold: float, clear: float, min_attempts: int) -> None:
        self._threshold = Threshold(AlertLevel.ERROR, threshold, min(clear, threshold))
        self._min_attempts = min_attempts
        self._newest_closed: dict[tuple[Stage, int], datetime] = {}
        self.emits = {NAME: None}

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, WindowAggregated):
            return ()
        key = (event.stage, event.window_seconds)
        newest = self._newest_closed.get(key)
        if newest is not None and event.window_start < newest:
            return ()
        if event.closed:
            self._newest_closed[key] = event.window_start
        if event.attempts < self._min_attempts:
            return ()
        labels = {"stage": event.stage.label, "window": f"{event.window_seconds}s"}
        reached = level_for(
            event.error_rate, (self._threshold,), level_of(fingerprint(NAME, labels))
        )
        if reached is None:
            return (
                Finding(rule=NAME, labels=labels, level=None, reason="error rate back to normal"),
            )
        return (self._finding(event, labels),)

    def _finding(self, event: WindowAggregated, labels: dict[str, str]) -> Finding:
        stage = event.stage.label
        return Finding(
            rule=NAME,
            labels=labels,
            level=AlertLevel.ERROR,
            title=f"High Error Rate: {stage}",
            message=(
                f"Error rate at {stage} is {event.error_rate:.1%} over {event.window_seconds}s "
                f"({event.failures} of {event.attempts} attempts failed; "
                f"threshold {self._threshold.above:.0%})"
            ),
            context={"host": event.producer.host},
            stage=event.stage,
            metadata={
                "error_rate": event.error_rate,
                "attempts": event.attempts,
                "failures": event.failures,
                "window_seconds": event.window_seconds,
                **{f"failures.{code}": n for code, n in event.failures_by_code.items()},
            },
            starts_at=event.window_start,
            valid_for_seconds=float(event.window_seconds + event.hop_seconds),
        )
