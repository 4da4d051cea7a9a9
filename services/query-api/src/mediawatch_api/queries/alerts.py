"""``alerts?level=&status=&limit=``: recent alerts in the API's alert shape; the live feed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

_COLUMNS = (
    "alert_id, level, title, message, raised_at, session_id, user_id, stage, metadata, "
    "labels, rule, fingerprint, resolved_at, resolve_reason, acknowledged_at, acknowledged_by, "
    "acknowledge_comment, change_seq, resolved_by"
)
_STATUS = {
    "firing": "resolved_at IS NULL",
    "resolved": "resolved_at IS NOT NULL",
    "acknowledged": "resolved_at IS NULL AND acknowledged_at IS NOT NULL",
    "all": "TRUE",
}


def alert_json(row: Any) -> dict[str, Any]:
    """One alert as the API answers it (id, level, title, message, timestamp, session, user,
    stage, metadata), plus its labels, rule and lifecycle fields."""
    return {
        "id": row.alert_id,
        "level": row.level,
        "title": row.title,
        "message": row.message,
        "timestamp": row.raised_at,
        "session_id": row.session_id,
        "user_id": row.user_id,
        "stage": row.stage,
        "metadata": row.metadata,
        "labels": row.labels,
        "rule": row.rule,
        "fingerprint": row.fingerprint,
        "status": "resolved" if row.resolved_at else "firing",
        "resolved_at": row.resolved_at,
        "resolve_reason": row.resolve_reason,
        "resolved_by": row.resolved_by,
        "acknowledged": row.acknowledged_at is not None,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by,
        "acknowledge_comment": row.acknowledge_comment,
        "change": row.change_seq,
    }


def list_alerts(
    conn: Connection, level: str | None, limit: int, status: str = "firing"
) -> dict[str, Any]:
    """The newest ``limit`` alerts of one status (firing, resolved, acknowledged or all),
    optionally of one level only."""
    where = " AND ".join([_STATUS[status], *(["level = :level"] if level else [])])
    order = "ORDER BY raised_at DESC, alert_id LIMIT :n"
    rows = conn.execute(
        text(f"SELECT {_COLUMNS} FROM alerts WHERE {where} {order}"),  # noqa: S608
        {"level": level, "n": limit},
    ).fetchall()
    alerts = [alert_json(row) for row in rows]
    return {
        "alerts": alerts,
        "total": len(alerts),
        "filters": {"level": level, "status": status, "limit": limit},
    }


def find_alert(conn: Connection, alert_id: str) -> dict[str, Any] | None:
    """One alert by id, or None."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM alerts WHERE alert_id = :id"),  # noqa: S608
        {"id": alert_id},
    ).first()
    return alert_json(row) if row else None


def latest_change(conn: Connection) -> int:
    """The newest change number of any alert (0 when there is none)."""
    return int(conn.execute(text("SELECT coalesce(max(change_seq), 0) FROM alerts")).scalar_one())


def alert_changes(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Alerts raised, resolved or acknowledged after change number ``after``, oldest first."""
    rows = conn.execute(
        text(
            f"SELECT {_COLUMNS} FROM alerts WHERE change_seq > :after "  # noqa: S608
            "ORDER BY change_seq LIMIT :n"
        ),
        {"after": after, "n": limit},
    ).fetchall()
    return [alert_json(row) for row in rows]
