"""``sessions/active`` and ``sessions/{id}/timeline``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from mediawatch_api.projector.alerting import to_json
from mediawatch_common.avro import AvroCodec

_ACTIVE = text(
    "SELECT session_id, user_id, status, current_stage, started_at, stage_started_at, "
    "last_event_at, stages_completed, processing_seconds, peak_memory_mb, video_count "
    "FROM sessions WHERE status IN ('queued', 'active') ORDER BY started_at LIMIT :cap"
)
_TIMELINE = text(
    "SELECT event_type, event_time, stage, payload, message FROM pipeline_events "
    'WHERE session_id = :sid ORDER BY event_time, topic, partition, "offset" LIMIT :cap'
)


def _seconds(later: datetime, earlier: datetime | None) -> float | None:
    return round((later - earlier).total_seconds(), 3) if earlier else None


def active_sessions(
    conn: Connection, now: datetime, stuck_minutes: int, cap: int
) -> dict[str, Any]:
    """Sessions not yet completed or failed, with elapsed times and a stuck flag."""
    stuck_before = now - timedelta(minutes=stuck_minutes)
    sessions = [
        {
            "session_id": r.session_id,
            "user_id": r.user_id,
            "status": r.status,
            "current_stage": r.current_stage,
            "started_at": r.started_at.isoformat(),
            "elapsed_seconds": _seconds(now, r.started_at),
            "stage_started_at": r.stage_started_at.isoformat() if r.stage_started_at else None,
            "stage_elapsed_seconds": _seconds(now, r.stage_started_at),
            "stages_completed": r.stages_completed,
            "processing_seconds": round(r.processing_seconds, 3),
            "peak_memory_mb": r.peak_memory_mb,
            "video_count": r.video_count,
            "last_event_at": r.last_event_at.isoformat(),
            "stuck": r.last_event_at < stuck_before,
        }
        for r in conn.execute(_ACTIVE, {"cap": cap})
    ]
    return {
        "active_sessions": sessions,
        "total": len(sessions),
        "stuck": sum(1 for s in sessions if s["stuck"]),
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
                "event_time": r.event_time.isoformat(),
                "stage": r.stage,
                "event": r.payload if r.message is None else decoded_record(codec, r.message),
            }
            for r in rows
        ],
        "total": len(rows),
    }


def decoded_record(codec: AvroCodec, message: bytes) -> dict[str, Any]:
    """The record of a kept message as the projector once stored it in JSON: timestamps as
    ISO 8601 with their offset, uuids as text."""
    record: dict[str, Any] = json.loads(to_json(codec.decode(message, uuid_as_text=True)[1]))
    return record
