"""``sessions/active`` and ``sessions/{id}/timeline``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from mediawatch_common.avro import AvroCodec
from mediawatch_common.stuck import is_stuck, stuck_cutoff

UNFINISHED = "status IN ('queued', 'active')"
"""SQL: the session has neither completed its last stage nor failed."""
STUCK = "started_at < :stuck_cutoff"
"""SQL mirror of :func:`mediawatch_common.stuck.is_stuck` for an unfinished session; bind
``stuck_cutoff`` to :func:`mediawatch_common.stuck.stuck_cutoff`."""

_COLUMNS = (
    "session_id, user_id, status, current_stage, started_at, stage_started_at, "
    "last_event_at, stages_completed, processing_seconds, peak_memory_mb, video_count"
)
_FILTERS = {
    "stuck": STUCK,
    "not_stuck": f"NOT ({STUCK})",
    "stage": "current_stage = :stage",
    "user_id": "user_id = :user_id",
}
_TIMELINE = text(
    "SELECT event_type, event_time, stage, payload, message FROM pipeline_events "
    'WHERE session_id = :sid ORDER BY event_time, topic, partition, "offset" LIMIT :cap'
)


@dataclass(frozen=True, slots=True)
class ActiveFilter:
    """Which unfinished sessions to list: a page of them, optionally narrowed."""

    limit: int
    offset: int = 0
    stuck: bool | None = None
    stage: str | None = None
    user_id: str | None = None

    def where(self) -> str:
        """The SQL condition selecting these sessions (parameters from :meth:`params`)."""
        names = ["stage"] if self.stage is not None else []
        names += ["user_id"] if self.user_id is not None else []
        if self.stuck is not None:
            names.append("stuck" if self.stuck else "not_stuck")
        return " AND ".join([UNFINISHED, *(_FILTERS[n] for n in names)])


def _seconds(later: datetime, earlier: datetime | None) -> float | None:
    return round((later - earlier).total_seconds(), 3) if earlier else None


def _session(r: Any, now: datetime, stuck_minutes: int) -> dict[str, Any]:
    idle_before = stuck_cutoff(now, stuck_minutes)
    return {
        "session_id": r.session_id,
        "user_id": r.user_id,
        "status": r.status,
        "current_stage": r.current_stage,
        "started_at": r.started_at,
        "elapsed_seconds": _seconds(now, r.started_at),
        "stage_started_at": r.stage_started_at,
        "stage_elapsed_seconds": _seconds(now, r.stage_started_at),
        "stages_completed": r.stages_completed,
        "processing_seconds": round(r.processing_seconds, 3),
        "peak_memory_mb": r.peak_memory_mb,
        "video_count": r.video_count,
        "last_event_at": r.last_event_at,
        "idle_seconds": _seconds(now, r.last_event_at),
        "stuck": is_stuck(r.started_at, False, now, stuck_minutes),
        "idle": r.last_event_at < idle_before,
    }


def active_sessions(
    conn: Connection, now: datetime, stuck_minutes: int, page: ActiveFilter
) -> dict[str, Any]:
    """A page of unfinished sessions, oldest first (so stuck ones come first), with totals.

    ``total`` and ``stuck_total`` count every session the filters select, not just the page.
    ``stuck``: started more than ``stuck_minutes`` ago and not finished; ``idle``: no event
    of any kind for ``stuck_minutes`` (a session can be busy and stuck, or idle and not yet
    stuck).
    """
    where = page.where()
    params = {
        "stuck_cutoff": stuck_cutoff(now, stuck_minutes),
        "stage": page.stage,
        "user_id": page.user_id,
        "limit": page.limit,
        "offset": page.offset,
    }
    total, stuck_total = conn.execute(
        text(f"SELECT count(*), count(*) FILTER (WHERE {STUCK}) FROM sessions WHERE {where}"),  # noqa: S608
        params,
    ).one()
    rows = conn.execute(
        text(
            f"SELECT {_COLUMNS} FROM sessions WHERE {where} "  # noqa: S608
            "ORDER BY started_at, session_id LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    sessions = [_session(r, now, stuck_minutes) for r in rows]
    return {
        "active_sessions": sessions,
        "total": int(total),
        "stuck_total": int(stuck_total),
        "limit": page.limit,
        "offset": page.offset,
        "stuck_after_minutes": stuck_minutes,
    }


def session_timeline(
    conn: Connection, session_id: str, cap: int, codec: AvroCodec
) -> dict[str, Any] | None:
    """Every event of one session in order, or None when the session is unknown.

    Each event is its record, decoded with ``codec`` from the message the row keeps (rows
    projected before migration 0005 keep the record as JSON instead).
    """
    rows = conn.execute(_TIMELINE, {"sid": session_id, "cap": cap}).fetchall()
    if not rows:
        return None
    return {
        "session_id": session_id,
        "events": [
            {
                "event_type": r.event_type,
                "event_time": r.event_time,
                "stage": r.stage,
                "event": r.payload if r.message is None else decoded_record(codec, r.message),
            }
            for r in rows
        ],
        "total": len(rows),
    }


def decoded_record(codec: AvroCodec, message: bytes) -> dict[str, Any]:
    """The record of a kept message, its event id as text (the API writes its times)."""
    return codec.decode(message, uuid_as_text=True)[1]
