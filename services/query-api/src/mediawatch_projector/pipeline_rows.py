"""Rows of the pipeline events (TranscodeRequested, StageStarted, StageCompleted), built from
the fields the projector decodes (``message_decoding.PIPELINE_FIELDS``; pure).

These are most of the traffic, so this is the projector's inner loop: a row of
``pipeline_events`` with the message as it was read (the timeline decodes it when asked), the
stage run it opens or closes, the minute it counts in, and the session change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mediawatch_common.events import Stage
from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.message_decoding import PIPELINE_FIELDS

_LABELS = {stage.value: stage.label for stage in Stage}

RUN_COLUMNS = (
    "session_id",
    "stage",
    "attempt",
    "user_id",
    "started_at",
    "completed_at",
    "success",
    "duration_seconds",
    "error_code",
    "error_message",
    "input_size_bytes",
    "output_size_bytes",
    "video_count",
    "peak_memory_mb",
    "cpu_percent",
)
"""Columns of a ``stage_runs`` row; a run is a list in this order while a batch builds it."""
_STARTED_AT, _COMPLETED_AT, _RUN_VIDEOS = map(
    RUN_COLUMNS.index, ("started_at", "completed_at", "video_count")
)
_COMPLETED = PIPELINE_FIELDS["StageCompleted"]

# The stage_runs columns a completion sets, as (position in the StageCompleted values, position
# in RUN_COLUMNS): the columns named as its fields. None never overwrites what an earlier
# event of the run gave; completed_at is the event time.
_COMPLETION = tuple(
    (_COMPLETED.index(field), RUN_COLUMNS.index(field))
    for field in (
        "started_at",
        "success",
        "duration_seconds",
        "error_code",
        "error_message",
        "input_size_bytes",
        "output_size_bytes",
        "video_count",
        "peak_memory_mb",
        "cpu_percent",
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
    """Add one pipeline event, its ``values`` (``message_decoding.PIPELINE_FIELDS``) decoded from
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
        run[_STARTED_AT] = at
        if videos is not None:
            run[_RUN_VIDEOS] = videos
        return
    success, duration, code = values[_SUCCESS], values[_DURATION], values[_CODE]
    rows.sessions.completed(session_id, user_id, at, label, success, duration, code, values[_PEAK])
    run[_COMPLETED_AT] = at
    for index, column in _COMPLETION:
        value = values[index]
        if value is not None:
            run[column] = value
    _count_minute(rows, at, label, success, duration, code)


_EMPTY_RUN = (None,) * (len(RUN_COLUMNS) - 4)  # after the key and the user
_INPUTS = PIPELINE_FIELDS["TranscodeRequested"].index("inputs")
_VIDEOS = PIPELINE_FIELDS["StageStarted"].index("video_count")
_SUCCESS, _DURATION, _CODE, _PEAK = map(
    _COMPLETED.index, ("success", "duration_seconds", "error_code", "peak_memory_mb")
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
