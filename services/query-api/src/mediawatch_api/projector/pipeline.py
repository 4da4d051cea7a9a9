"""Rows of the pipeline events (TranscodeRequested, StageStarted, StageCompleted), built from
their plain Avro records (pure).

These are most of the traffic, so this is the projector's inner loop: a row of
``pipeline_events`` with the message as it was read (the timeline decodes it when asked), the
stage run it opens or closes, the minute it counts in, and the session change.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mediawatch_api.projector.decode import PIPELINE_FIELDS
from mediawatch_common.events import Stage

if TYPE_CHECKING:
    from mediawatch_api.projector.rows import Rows

_LABELS = {stage.value: stage.label for stage in Stage}

# stage_runs columns set by a completion, by position in RUN_COLUMNS (completed_at, 5, is
# the event time); None never overwrites what an earlier event of the run gave. Paired with
# each field's position in the StageCompleted values.
_COMPLETION = tuple(
    (PIPELINE_FIELDS["StageCompleted"].index(field), column)
    for field, column in (
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
)


def add_pipeline(
    rows: Rows,
    topic: str,
    partition: int,
    offset: int,
    name: str,
    values: tuple[Any, ...],
    message: bytes,
) -> None:
    """Add one pipeline event, its ``values`` (``decode.PIPELINE_FIELDS``) decoded from
    ``message`` read at (topic, partition, offset), to ``rows``."""
    # Every pipeline event's values start with these four, a stage event's then with these two.
    event_id, at, session_id, user_id = values[0], values[1], values[2], values[3]
    if name == "TranscodeRequested":
        rows.pipeline_events.append(
            (event_id, name, at, session_id, None, topic, partition, offset, message)
        )
        rows.sessions.requested(session_id, user_id, at, len(values[_INPUTS]))
        return
    label, attempt = _LABELS[values[4]], values[5]
    rows.pipeline_events.append(
        (event_id, name, at, session_id, label, topic, partition, offset, message)
    )
    key = (session_id, label, attempt)
    run = rows.runs.get(key)
    if run is None:
        run = rows.runs[key] = [session_id, label, attempt, user_id, *_EMPTY_RUN]
    if name == "StageStarted":
        videos = values[_VIDEOS]
        rows.opened.add(key)
        rows.sessions.started(session_id, user_id, at, label, videos)
        run[4] = at
        if videos is not None:
            run[12] = videos
        return
    success, duration, code = values[_SUCCESS], values[_DURATION], values[_CODE]
    rows.sessions.completed(session_id, user_id, at, label, success, duration, code, values[_PEAK])
    run[5] = at
    for index, column in _COMPLETION:
        value = values[index]
        if value is not None:
            run[column] = value
    _count_minute(rows, at, label, success, duration, code)


_EMPTY_RUN = (None,) * 11
_INPUTS = PIPELINE_FIELDS["TranscodeRequested"].index("inputs")
_VIDEOS = PIPELINE_FIELDS["StageStarted"].index("video_count")
_SUCCESS, _DURATION, _CODE, _PEAK = map(
    PIPELINE_FIELDS["StageCompleted"].index,
    ("success", "duration_seconds", "error_code", "peak_memory_mb"),
)


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
