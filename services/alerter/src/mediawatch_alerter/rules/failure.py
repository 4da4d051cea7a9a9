"""Processing failure: a failed stage is an ERROR alert carrying its error and figures."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import AlertLevel, Event, StageCompleted

NAME = "processing_failed"


def failure_metadata(event: StageCompleted) -> dict[str, str | float | int | None]:
    """A failed stage's alert metadata: error_code, duration_seconds, memory_usage_mb, attempt."""
    return {
        "error_code": event.error_code.value if event.error_code else None,
        "duration_seconds": event.duration_seconds,
        "memory_usage_mb": event.peak_memory_mb,
        "attempt": event.attempt,
    }


class ProcessingFailedRule(Rule):
    """A failed :class:`StageCompleted` fires at once; the same stage succeeding (a retry)
    resolves it, otherwise it resolves after ``valid_for_seconds``."""

    def __init__(self, valid_for_seconds: float) -> None:
        self._valid_for = valid_for_seconds
        self.emits = {NAME: valid_for_seconds}

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, StageCompleted):
            return ()
        stage = event.stage.label
        labels = {"session_id": event.session_id, "stage": stage}
        if event.success:
            return (Finding(rule=NAME, labels=labels, level=None, reason="stage succeeded"),)
        cause = event.error_message or (event.error_code.value if event.error_code else "unknown")
        return (
            Finding(
                rule=NAME,
                labels=labels,
                level=AlertLevel.ERROR,
                title=f"Processing Failed: {stage}",
                message=f"Session {event.session_id} failed at {stage}: {cause}",
                context={"host": event.producer.host},
                session_id=event.session_id,
                user_id=event.user_id,
                stage=event.stage,
                metadata=failure_metadata(event),
                starts_at=event.event_time,
                valid_for_seconds=self._valid_for,
                per_event=True,
            ),
        )
