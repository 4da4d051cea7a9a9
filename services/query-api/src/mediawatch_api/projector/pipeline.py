"""Rows of the pipeline events (TranscodeRequested, StageStarted, StageCompleted), built from
their plain Avro records (pure).

These are most of the traffic, so this is the projector's inner loop: a row of
``pipeline_events`` with the message as it was read (the timeline decodes it when asked), the
stage run it opens or closes, the minute it counts in, and the session change.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mediawatch_common.events import Stage

if TYPE_CHECKING:
    from mediawatch_api.projector.rows import Rows

_LABELS = {stage.value: stage.label for stage in Stage}

# stage_runs columns set by a completion, by position in RUN_COLUMNS (completed_at, 5, is
# the event time); None never overwrites what an earlier event of the run gave.
_COMPLETION = (
    ("started_at", 4),
    ("success", 6),
    ("duration_seconds", 7),
    ("error_code", 8),
    ("error_message", 9),
    ("input_size_bytes", 10),
    ("output_size_bytes", 11),
    ("video_count", 12),
    ("peak_memory_mb", 13),
    ("cpu_percent", 14),
)


def add_pipeline(
    rows: Rows,
    topic: str,
    partition: int,
    offset: int,
    name: str,
    record: dict[str, Any],
    message: bytes,
) -> None:
    """Add one pipeline event, ``record`` decoded from ``message`` read at (topic, partition,
    offset), to ``rows``."""
    session_id, user_id, at = record["session_id"], record["user_id"], record["event_time"]
    label = _LABELS[record["stage"]] if name != "TranscodeRequested" else None
    rows.pipeline_events.append(
        (
            record["event_id"],
            name,
            at,
            session_id,
            label,
            topic,
            partition,
            offset,
            message,
        )
    )
    if label is None:
        rows.sessions.requested(session_id, user_id, at, len(record["inputs"]))
        return
    run = _run(rows, record, label)
    if name == "StageStarted":
        rows.opened.add((session_id, label, record["attempt"]))
        rows.sessions.started(session_id, user_id, at, label, record["video_count"])
        run[4] = at
        if record["video_count"] is not None:
            run[12] = record["video_count"]
        return
    success, duration, code = record["success"], record["duration_seconds"], record["error_code"]
    rows.sessions.completed(
        session_id, user_id, at, label, success, duration, code, record["peak_memory_mb"]
    )
    run[5] = at
    for field, column in _COMPLETION:
        value = record[field]
        if value is not None:
            run[column] = value
    _count_minute(rows, at, label, success, duration, code)


def _run(rows: Rows, record: dict[str, Any], label: str) -> list[Any]:
    key = (record["session_id"], label, record["attempt"])
    run = rows.runs.get(key)
    if run is None:
        run = rows.runs[key] = [*key, record["user_id"], *([None] * 11)]
    return run


def _count_minute(
    rows: Rows, at: datetime, label: str, success: bool, duration: float, code: str | None
) -> None:
    minute = at.replace(second=0, microsecond=0)
    key = (minute, label, code if code and not success else "")
    counts = rows.minutes.get(key)
    if counts is None:
        counts = rows.minutes[key] = [0, 0, 0, 0.0]
    counts[0] += 1
    counts[1 if success else 2] += 1
    counts[3] += duration
