"""Rows of the alerting events: deliveries, silences (pure)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    SilenceCreated,
    to_record,
)

Row = tuple[Any, ...]

DELIVERY_COLUMNS = (
    "event_id",
    "notification_id",
    "group_key",
    "sink",
    "sink_type",
    "status",
    "alert_ids",
    "attempt",
    "outcome",
    "http_status",
    "duration_ms",
    "rate_limited_ms",
    "error",
    "final",
    "retry_in_seconds",
    "at",
)
SILENCE_COLUMNS = (
    "silence_id",
    "matchers",
    "starts_at",
    "ends_at",
    "author",
    "comment",
    "created_at",
)


def to_json(value: Any) -> str:
    """JSON text of a record holding datetimes and UUIDs."""
    return json.dumps(value, default=_default, separators=(",", ":"))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def delivery_row(e: AlertDelivered | AlertDeliveryFailed) -> Row:
    """One ``alert_deliveries`` row (in :data:`DELIVERY_COLUMNS` order) per attempt."""
    if isinstance(e, AlertDeliveryFailed):
        outcome: tuple[Any, ...] = ("failed", None, e.error, e.final, e.retry_in_seconds)
    else:
        outcome = ("delivered", e.rate_limited_ms, None, None, None)
    return (
        e.event_id,
        e.notification_id,
        e.group_key,
        e.sink,
        e.sink_type,
        e.status,
        list(e.alert_ids),
        e.attempt,
        outcome[0],
        e.http_status,
        e.duration_ms,
        *outcome[1:],
        e.event_time,
    )


def silence_row(e: SilenceCreated) -> Row:
    """One ``silences`` row in :data:`SILENCE_COLUMNS` order."""
    matchers = to_record(e)["matchers"]
    return (
        e.silence_id,
        to_json(matchers),
        e.starts_at,
        e.ends_at,
        e.author,
        e.comment,
        e.event_time,
    )
