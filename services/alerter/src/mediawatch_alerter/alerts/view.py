"""The seed's alert JSON shape, for chat messages, webhooks and the demo."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mediawatch_common.events import AlertRaised


def iso_z(when: datetime) -> str:
    """``2023-12-31T23:59:59Z``: UTC, whole seconds, as the seed prints timestamps."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_json(alert: AlertRaised) -> dict[str, Any]:
    """The alert as the monitoring guide shows it (id, level, title, message, ... metadata)."""
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
