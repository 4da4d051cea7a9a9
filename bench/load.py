"""Fast synthetic pipeline history: many sessions' StageStarted/StageCompleted events, encoded.

Building and Avro-encoding each event through ``encode_event`` costs ~200 µs of CPU here, so
100,000 events would take longer than the quick mode's whole budget. Instead, every distinct
*shape* of event (stage, kind, outcome, minute) is built and encoded once with a placeholder
session id and event id of fixed width, and each event is a copy of its shape's bytes with
the real session id and a fresh uuid4 written over the placeholders (same lengths, so the Avro
length prefixes stay valid). :func:`check` decodes a sample back to prove it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mediawatch_common.events import (
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    decode_event,
    encode_event,
)

STAGES = tuple(Stage)
SESSION_WIDTH = 24
_SESSION_MARK = "Q" * SESSION_WIDTH
_EVENT_MARK = uuid.UUID("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f")
FAIL_EVERY = 10
"""Every 10th session fails, at a stage that rotates; it stops there."""


@dataclass(frozen=True, slots=True)
class Item:
    """One encoded event and what it stands for (for checks and expected rows)."""

    key: str
    value: bytes
    stage: int
    completed: bool
    failed: bool


def _session_id(label: str, i: int) -> str:
    sid = f"{label}-{i:012d}"
    if len(sid) > SESSION_WIDTH:
        raise ValueError(f"session id {sid!r} is longer than {SESSION_WIDTH}")
    return sid.ljust(SESSION_WIDTH, "x")


class Shapes:
    """Encoded templates per (minute, stage, kind) with placeholders to overwrite."""

    def __init__(self, start: datetime, minutes: int) -> None:
        self._start = start
        self._minutes = minutes
        self._cache: dict[tuple[int, int, str], bytes] = {}
        self._producer = Producer(service="bench", host="bench-host", pid=1)

    def get(self, minute: int, stage: int, kind: str) -> bytes:
        key = (minute % self._minutes, stage, kind)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._encode(*key)
        return found

    def _encode(self, minute: int, stage_index: int, kind: str) -> bytes:
        stage = STAGES[stage_index]
        at = self._start + timedelta(minutes=minute, seconds=stage_index)
        common: dict[str, Any] = {
            "producer": self._producer,
            "event_id": _EVENT_MARK,
            "event_time": at,
            "session_id": _SESSION_MARK,
            "user_id": f"user_{minute % 100:04d}",
            "stage": stage,
        }
        if kind == "started":
            return encode_event(StageStarted(**common, video_count=3))
        failed = kind == "failed"
        return encode_event(
            StageCompleted(
                **common,
                started_at=at - timedelta(seconds=2 + stage_index),
                success=not failed,
                duration_seconds=2.0 + stage_index + minute % 7,
                error_code=ErrorCode.FFMPEG_FAILED if failed else None,
                error_message="FFmpeg process failed" if failed else None,
                input_size_bytes=47_185_920,
                output_size_bytes=28_311_552,
                video_count=3,
                peak_memory_mb=512.0,
                cpu_percent=80.0,
            )
        )


def _patch(template: bytes, session: str) -> bytes:
    return template.replace(_SESSION_MARK.encode(), session.encode(), 1).replace(
        str(_EVENT_MARK).encode(), str(uuid.uuid4()).encode(), 1
    )


def pipeline_history(label: str, n: int, start: datetime, minutes: int = 60) -> Iterator[Item]:
    """``n`` events of whole sessions (StageStarted + StageCompleted per stage, in order),
    spread over ``minutes`` minutes of event time from ``start``; the last session may be cut."""
    shapes = Shapes(start, minutes)
    produced = session = 0
    while produced < n:
        sid = _session_id(label, session)
        fails_at = session % len(STAGES) if session % FAIL_EVERY == 0 else None
        minute = session % minutes
        for stage in range(len(STAGES)):
            for kind in ("started", "failed" if stage == fails_at else "ok"):
                if produced >= n:
                    return
                value = _patch(shapes.get(minute, stage, kind), sid)
                yield Item(sid, value, stage, kind != "started", kind == "failed")
                produced += 1
            if stage == fails_at:
                break
        session += 1


def check(items: list[Item]) -> None:
    """Decode a sample back: the placeholders must have been replaced exactly."""
    for item in items[:: max(1, len(items) // 50)]:
        event = decode_event(item.value)
        assert isinstance(event, StageStarted | StageCompleted)
        if event.session_id != item.key or event.event_id == _EVENT_MARK:
            raise RuntimeError(f"synthetic event not patched right: {event}")
