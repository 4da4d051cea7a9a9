"""Custom alerts: a pipeline's own conditions, raised and resolved as alerts."""

from __future__ import annotations

import time
from typing import Any

from mediawatch_client.contract import event_schema
from mediawatch_client.event_builders import (
    MAX_MESSAGE_LENGTH,
    alert_type_name,
    custom_alert,
    identifier,
    label_map,
    metadata_map,
)
from mediawatch_client.reporter import Reporter
from mediawatch_client.vocabulary import AlertLevel, as_level


class CustomAlerts(Reporter):
    """``create_custom_alert`` and ``resolve_custom_alert``, on the alerts topic."""

    async def create_custom_alert(
        self, alert_type: str, level: AlertLevel | str = AlertLevel.WARNING, **context: Any
    ) -> None:
        """Raise "Custom Alert: <alert_type>". See :meth:`create_custom_alert_sync`."""
        self.create_custom_alert_sync(alert_type, level, **context)

    def create_custom_alert_sync(
        self, alert_type: str, level: AlertLevel | str = AlertLevel.WARNING, **context: Any
    ) -> None:
        """Report a condition of the pipeline's own; the alerter raises it as an alert.

        ``context`` becomes the alert's metadata (flat scalars). Three keywords are taken out
        of it: ``labels`` (a str -> str map telling one instance of the condition from
        another; resolve with the same labels), ``message`` (default: "Custom alert
        triggered: <alert_type>"), and ``session_id``/``user_id`` (link the alert to a
        session). Reporting the same type and labels again while the alert fires does not
        raise a second one.
        """
        labels = label_map(context.pop("labels", None))
        message = context.pop("message", None)
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message must be a str, not {type(message).__name__}")
        session = context.pop("session_id", None)
        user = context.pop("user_id", None)
        self._custom(
            alert_type,
            as_level(level),
            resolved=False,
            labels=labels,
            context=metadata_map(context),
            message=message[:MAX_MESSAGE_LENGTH] if message else None,
            session_id=identifier("session_id", session) if session is not None else None,
            user_id=identifier("user_id", user) if user is not None else None,
        )

    async def resolve_custom_alert(self, alert_type: str, **labels: str) -> None:
        """The condition has cleared. See :meth:`resolve_custom_alert_sync`."""
        self.resolve_custom_alert_sync(alert_type, **labels)

    def resolve_custom_alert_sync(self, alert_type: str, **labels: str) -> None:
        """Resolve the custom alert of ``alert_type`` raised with these ``labels``."""
        self._custom(
            alert_type,
            AlertLevel.INFO,
            resolved=True,
            labels=label_map(labels),
            context={},
            message=None,
            session_id=None,
            user_id=None,
        )

    def _custom(self, alert_type: str, level: AlertLevel, *, resolved: bool, **fields: Any) -> None:
        name = alert_type_name(alert_type)
        record = custom_alert(
            source=self._source(),
            at=time.time_ns() // 1000,
            alert_type=name,
            level=level.name,
            resolved=resolved,
            **fields,
        )
        self._emit(event_schema("CustomAlertReported"), self.config.alerts_topic, name, record)
