"""``alerts/{id}/deliveries``: every notification attempt that listed one alert."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

_SQL = text(
    "SELECT event_id, notification_id, group_key, sink, sink_type, status, attempt, outcome, "
    "http_status, duration_ms, rate_limited_ms, error, final, retry_in_seconds, at "
    "FROM alert_deliveries WHERE alert_ids @> ARRAY[CAST(:id AS text)] "
    "ORDER BY at, notification_id, attempt LIMIT :n"
)


def alert_deliveries(conn: Connection, alert_id: str, limit: int) -> dict[str, Any]:
    """Delivery attempts of notifications that listed ``alert_id``, oldest first."""
    attempts = [
        {
            "notification_id": r.notification_id,
            "group_key": r.group_key,
            "sink": r.sink,
            "sink_type": r.sink_type,
            "status": r.status,
            "attempt": r.attempt,
            "outcome": r.outcome,
            "http_status": r.http_status,
            "duration_ms": r.duration_ms,
            "rate_limited_ms": r.rate_limited_ms,
            "error": r.error,
            "final": r.final,
            "retry_in_seconds": r.retry_in_seconds,
            "timestamp": r.at,
        }
        for r in conn.execute(_SQL, {"id": alert_id, "n": limit})
    ]
    delivered = sorted({a["sink"] for a in attempts if a["outcome"] == "delivered"})
    return {
        "alert_id": alert_id,
        "deliveries": attempts,
        "total": len(attempts),
        "delivered_to": delivered,
    }
