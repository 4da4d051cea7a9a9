"""Synthetic but plausible pipeline events for one session (no ffmpeg involved)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mediawatch_common.events import (
    ErrorCode,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
)

# Typical seconds per stage for three phone clips of ~15 MB each.
TYPICAL_SECONDS = {
    Stage.UPLOAD: 1.8,
    Stage.ANALYSIS: 0.6,
    Stage.PREPARATION: 14.2,
    Stage.MERGING: 6.5,
    Stage.COMPRESSION: 21.0,
    Stage.STORAGE_UPLOAD: 2.4,
    Stage.CLEANUP: 0.2,
}


@dataclass(frozen=True, slots=True)
class StageOutcome:
    """A failure to inject: the stage, its error code and message."""

    stage: Stage
    error_code: ErrorCode
    message: str


def synthetic_session(
    session_id: str,
    user_id: str,
    start: datetime,
    producer: Producer,
    failure: StageOutcome | None = None,
    clip_bytes: tuple[int, ...] = (15_204_352, 14_680_064, 17_301_504),
) -> list[StageStarted | StageCompleted | ResourceSample]:
    """The events one session would emit, stage by stage, starting at ``start``.

    With ``failure``, the session stops at that stage (CLEANUP still runs, as it always does).
    """
    events: list[StageStarted | StageCompleted | ResourceSample] = []
    clock = start
    size = sum(clip_bytes)
    failed = False
    for stage in Stage:
        if failed and stage is not Stage.CLEANUP:
            continue
        seconds = TYPICAL_SECONDS[stage]
        started = StageStarted(
            event_time=clock,
            producer=producer,
            session_id=session_id,
            user_id=user_id,
            stage=stage,
            video_count=len(clip_bytes),
            total_size_bytes=size,
        )
        broken = failure is not None and failure.stage is stage
        done_at = clock + timedelta(seconds=seconds)
        completed = StageCompleted(
            event_time=done_at,
            producer=producer,
            session_id=session_id,
            user_id=user_id,
            stage=stage,
            started_at=clock,
            success=not broken,
            duration_seconds=seconds,
            error_code=failure.error_code if broken and failure else None,
            error_message=failure.message if broken and failure else None,
            input_size_bytes=size,
            output_size_bytes=None if broken else int(size * 0.6),
            video_count=len(clip_bytes),
            peak_memory_mb=180.0 + 20 * seconds,
            cpu_percent=35.0 + seconds,
        )
        events += [started, completed]
        failed = failed or broken
        clock = done_at
    events.append(
        ResourceSample(
            event_time=clock,
            producer=producer,
            host=producer.host,
            cpu_percent=41.5,
            memory_percent=52.3,
            memory_used_mb=4096.0,
            disk_percent=23.1,
            disk_path="/srv/mediawatch/work",
            temp_dir_bytes=size * 2,
            active_sessions=1,
        )
    )
    return events
