"""The JSON shape of one alert, as chat messages, webhooks and the demo show it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mediawatch_common.events import AlertRaised


def iso_z(when: datetime) -> str:
    """``2023-12-31T23:59:59Z``: UTC, whole seconds, as alert JSON prints timestamps."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_json(alert: AlertRaised) -> dict[str, Any]:
    """The alert as the API and webhooks show it (id, level, title, message, ... metadata)."""
    return {
        "id": alert.alert_id,
        "level": alert.level.value.lower(),
        "title": alert.title,
        "message": alert.message,
        "timestamp": iso_z(alert.starts_at),
        "session_id": alert.session_id,
        "user_id": alert.user_id,
        "stage": alert.stage.label if alert.stage else None,
        "metadata": dict(alert.metadata),
    }
