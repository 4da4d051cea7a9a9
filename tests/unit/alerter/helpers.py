"""Event builders for the alerter's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mediawatch_alerter.evaluator import Evaluator, build_evaluator
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.events import (
    ClipInput,
    ErrorCode,
    HealthChecked,
    HealthCheckResult,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    WindowAggregated,
)
from mediawatch_common.settings import MonitoringSettings
from mediawatch_common.wall_clock import ManualClock

T0 = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
WORKER = Producer(service="transcoder", host="worker-1", pid=7)
ME = Producer(service="alerter", host="alerter-1", pid=9)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def completed(
    session: str = "video_session_123",
    stage: Stage = Stage.MERGING,
    *,
    success: bool = True,
    duration: float = 12.0,
    t: float = 0.0,
    host: str = "worker-1",
    **kw: Any,
) -> StageCompleted:
    failure = (
        {}
        if success
        else {"error_code": ErrorCode.FFMPEG_FAILED, "error_message": "FFmpeg process failed"}
    )
    return StageCompleted(
        event_time=at(t),
        producer=Producer(service="transcoder", host=host, pid=7),
        session_id=session,
        user_id="user_456",
        stage=stage,
        started_at=at(t - duration),
        success=success,
        duration_seconds=duration,
        peak_memory_mb=512.3,
        **{**failure, **kw},
    )


def started(
    session: str = "video_session_123", stage: Stage = Stage.UPLOAD, t: float = 0.0
) -> StageStarted:
    return StageStarted(
        event_time=at(t), producer=WORKER, session_id=session, user_id="user_456", stage=stage
    )


def requested(session: str = "video_session_123", t: float = 0.0) -> TranscodeRequested:
    clip = ClipInput(uri="file:///in/a.mp4", filename="a.mp4", size_bytes=1000)
    return TranscodeRequested(
        event_time=at(t), producer=WORKER, session_id=session, user_id="user_456", inputs=(clip,)
    )


def sample(
    cpu: float = 10.0,
    memory: float = 10.0,
    disk: float = 10.0,
    host: str = "worker-1",
    t: float = 0.0,
) -> ResourceSample:
    return ResourceSample(
        event_time=at(t),
        producer=WORKER,
        host=host,
        cpu_percent=cpu,
        memory_percent=memory,
        memory_used_mb=100.0,
        disk_percent=disk,
        disk_path="/tmp",
        temp_dir_bytes=0,
        active_sessions=1,
    )


def window(
    rate: float,
    attempts: int = 20,
    stage: Stage = Stage.MERGING,
    start: float = 0.0,
    closed: bool = True,
) -> WindowAggregated:
    failures = round(rate * attempts)
    return WindowAggregated(
        producer=WORKER,
        window_start=at(start),
        window_end=at(start + 60),
        window_seconds=60,
        hop_seconds=60,
        stage=stage,
        attempts=attempts,
        successes=attempts - failures,
        failures=failures,
        error_rate=rate,
        failures_by_code={"FFMPEG_FAILED": failures},
        duration_count=attempts,
        duration_sum_seconds=10.0 * attempts,
        closed=closed,
    )


def health(
    component: str,
    status: str,
    host: str = "worker-1",
    message: str = "",
    *,
    t: float = 0.0,
    interval: float | None = None,
    details: dict[str, Any] | None = None,
) -> HealthChecked:
    """A report of one component; ``interval`` set makes it a periodic reporter's."""
    return HealthChecked(
        producer=WORKER,
        host=host,
        overall_status=status,
        checked_at=at(t),
        total_check_time_ms=3.0,
        checks=(
            HealthCheckResult(
                component=component,
                status=status,
                message=message or f"{component} {status}",
                response_time_ms=1.0,
                details=details or {},
            ),
        ),
        interval_seconds=interval,
    )


def evaluator(
    clock: ManualClock | None = None, missed_reports: int = 3, **alerter: Any
) -> tuple[Evaluator, ManualClock]:
    clock = clock or ManualClock(T0)
    settings = AlerterSettings.model_validate({"resource_for_seconds": 0, **alerter})
    built = build_evaluator(
        MonitoringSettings(), settings, ME, clock, missed_reports=missed_reports
    )
    return built, clock
