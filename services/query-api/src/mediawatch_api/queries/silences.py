"""``silences?state=``: silences projected from SilenceCreated/SilenceExpired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

_COLUMNS = (
    "silence_id, matchers, starts_at, ends_at, author, comment, created_at, expired_at, "
    "expire_reason"
)
_STATE = {
    "active": "expired_at IS NULL AND starts_at <= :now AND ends_at > :now",
    "pending": "expired_at IS NULL AND starts_at > :now",
    "expired": "(expired_at IS NOT NULL OR ends_at <= :now)",
}


def silence_state(row: Any, now: datetime) -> str:
    """``active``, ``pending`` (starts later) or ``expired`` (ended or expired early) at ``now``."""
    if row.expired_at is not None or row.ends_at <= now:
        return "expired"
    return "pending" if row.starts_at > now else "active"


def silence_json(row: Any, now: datetime) -> dict[str, Any]:
    """One silence with its state at ``now``."""
    return {
        "id": row.silence_id,
        "matchers": row.matchers,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "author": row.author,
        "comment": row.comment,
        "created_at": row.created_at,
        "expired_at": row.expired_at,
        "expire_reason": row.expire_reason,
        "state": silence_state(row, now),
    }


def list_silences(conn: Connection, state: str | None, now: datetime, limit: int) -> dict[str, Any]:
    """The newest ``limit`` silences (by end time), optionally in one state only."""
    where = f"WHERE {_STATE[state]}" if state else ""
    rows = conn.execute(
        text(f"SELECT {_COLUMNS} FROM silences {where} ORDER BY ends_at DESC LIMIT :n"),  # noqa: S608
        {"now": now, "n": limit},
    ).fetchall()
    silences = [silence_json(row, now) for row in rows]
    return {
        "silences": silences,
        "total": len(silences),
        "filters": {"state": state, "limit": limit},
    }


def find_silence(conn: Connection, silence_id: str, now: datetime) -> dict[str, Any] | None:
    """One silence by id, or None."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM silences WHERE silence_id = :id"),  # noqa: S608
        {"id": silence_id},
    ).first()
    return silence_json(row, now) if row else None
