"""Custom alerts: conditions a pipeline reports itself with ``create_custom_alert``."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import CustomAlertReported, Event, Scalar

NAME = "custom_alert"


def custom_metadata(event: CustomAlertReported) -> dict[str, Scalar]:
    """The alert type, and the pipeline's context under ``custom_context.<key>``."""
    return {
        "alert_type": event.alert_type,
        **{f"custom_context.{key}": value for key, value in event.context.items()},
    }


class CustomAlertRule(Rule):
    """A reported condition fires at the reported level until the pipeline resolves it.

    The alert type and the reported labels identify the alert: reporting it again while it
    fires changes nothing but its level, and ``resolved`` reports clear it. It does not
    expire on its own; an operator can clear it (``DELETE /alerts``).
    """

    def __init__(self) -> None:
        self.emits = {NAME: None}

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if not isinstance(event, CustomAlertReported):
            return ()
        labels = {**event.labels, "alert_type": event.alert_type}
        if event.resolved:
            return (
                Finding(rule=NAME, labels=labels, level=None, reason="resolved by the pipeline"),
            )
        return (
            Finding(
                rule=NAME,
                labels=labels,
                level=event.level,
                title=f"Custom Alert: {event.alert_type}",
                message=event.message or f"Custom alert triggered: {event.alert_type}",
                context={"host": event.producer.host, "service": event.producer.service},
                session_id=event.session_id,
                user_id=event.user_id,
                metadata=custom_metadata(event),
                starts_at=event.event_time,
            ),
        )
