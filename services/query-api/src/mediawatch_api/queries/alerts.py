"""``alerts?level=&limit=``: recent alerts in the seed's alert shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

_COLUMNS = (
    "alert_id, level, title, message, raised_at, session_id, user_id, stage, metadata, "
    "labels, rule, fingerprint, resolved_at, resolve_reason"
)


def alert_json(row: Any) -> dict[str, Any]:
    """One alert as the seed shows it, plus its lifecycle fields."""
    return {
        "id": row.alert_id,
        "level": row.level,
        "title": row.title,
        "message": row.message,
        "timestamp": row.raised_at.isoformat(),
        "session_id": row.session_id,
        "user_id": row.user_id,
        "stage": row.stage,
        "metadata": row.metadata,
        "labels": row.labels,
        "rule": row.rule,
        "fingerprint": row.fingerprint,
        "status": "resolved" if row.resolved_at else "firing",
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "resolve_reason": row.resolve_reason,
    }


def list_alerts(conn: Connection, level: str | None, limit: int) -> dict[str, Any]:
    """The newest ``limit`` alerts, optionally of one level only."""
    where = "WHERE level = :level" if level else ""
    rows = conn.execute(
        text(f"SELECT {_COLUMNS} FROM alerts {where} ORDER BY raised_at DESC, alert_id LIMIT :n"),  # noqa: S608
        {"level": level, "n": limit},
    ).fetchall()
    alerts = [alert_json(row) for row in rows]
    return {"alerts": alerts, "total": len(alerts), "filters": {"level": level, "limit": limit}}
