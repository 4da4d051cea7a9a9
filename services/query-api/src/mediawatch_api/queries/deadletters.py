"""``deadletters?hours=``: dead letters counted per origin topic and reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

MAX_GROUPS = 500

_SQL = text(
    "SELECT origin_topic, reason_class, count(*) AS total, "
    "count(*) FILTER (WHERE redriven_at IS NULL) AS pending, max(failed_at) AS last_failed_at "
    "FROM dead_letters WHERE failed_at >= :since "
    "GROUP BY origin_topic, reason_class "
    "ORDER BY total DESC, origin_topic, reason_class LIMIT :n"
)


def dead_letter_counts(conn: Connection, hours: int, now: datetime) -> dict[str, Any]:
    """Dead letters of the last ``hours`` per (origin topic, reason), most frequent first;
    ``pending`` are those not re-driven yet."""
    groups = [
        {
            "topic": r.origin_topic,
            "reason": r.reason_class,
            "count": r.total,
            "pending": r.pending,
            "last_failed_at": r.last_failed_at,
        }
        for r in conn.execute(_SQL, {"since": now - timedelta(hours=hours), "n": MAX_GROUPS})
    ]
    return {
        "hours": hours,
        "total": sum(g["count"] for g in groups),
        "pending": sum(g["pending"] for g in groups),
        "by_topic_reason": groups,
    }
