"""Known events for the projection and endpoint tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    AlertLevel,
    AlertRaised,
    ErrorCode,
    Event,
    LogRecorded,
    Producer,
    ResourceSample,
    SilenceCreated,
    SilenceMatcher,
    Stage,
    StageCompleted,
    StageStarted,
    WindowAggregated,
)

WHO = Producer(service="transcoder", host="worker-1", pid=42)
STAGES = list(Stage)


def session_events(session: str, start: datetime, fail_at: Stage | None = None) -> list[Event]:
    """A session's StageStarted/StageCompleted pairs, 10 s per stage, stopping at a failure."""
    events: list[Event] = []
    for i, stage in enumerate(STAGES):
        began = start + timedelta(seconds=10 * i)
        failed = stage is fail_at
        common: dict[str, Any] = {
            "producer": WHO,
            "session_id": session,
            "user_id": "user_456",
            "stage": stage,
        }
        events.append(StageStarted(**common, event_time=began, video_count=3))
        events.append(
            StageCompleted(
                **common,
                event_time=began + timedelta(seconds=10),
                started_at=began,
                success=not failed,
                duration_seconds=10.0,
                error_code=ErrorCode.FFMPEG_FAILED if failed else None,
                error_message="FFmpeg process failed" if failed else None,
                peak_memory_mb=100.0 + i,
            )
        )
        if failed:
            break
    return events


def sample(at: datetime, host: str = "worker-1", cpu: float = 15.0) -> ResourceSample:
    """A resource sample of ``host``."""
    return ResourceSample(
        producer=WHO,
        event_time=at,
        host=host,
        cpu_percent=cpu,
        memory_percent=45.0,
        memory_used_mb=2048.0,
        disk_percent=23.0,
        disk_path="/tmp",
        temp_dir_bytes=1024,
        active_sessions=1,
    )


def log(
    at: datetime, level: str, message: str, who: Producer = WHO, session_id: str = "s-1"
) -> LogRecorded:
    """A log record (of the transcoder unless ``who`` says otherwise)."""
    return LogRecorded(
        producer=who,
        event_time=at,
        timestamp=at,
        level=level,
        logger="mediawatch_transcoder",
        message=message,
        module="merge",
        function="merge_videos",
        line=245,
        process_id=42,
        thread_id=7,
        extra={"session_id": session_id},
    )


def alert(at: datetime, alert_id: str, level: AlertLevel) -> AlertRaised:
    """A processing-failure alert."""
    return AlertRaised(
        producer=WHO,
        event_time=at,
        alert_id=alert_id,
        fingerprint=f"fp-{alert_id}",
        rule="processing_failed",
        level=level,
        title="Processing Failed: merging",
        message="Session s-2 failed at merging: FFmpeg process failed",
        session_id="s-2",
        user_id="user_456",
        stage=Stage.MERGING,
        metadata={"error_code": "FFMPEG_FAILED"},
        starts_at=at,
    )


def window(
    start: datetime, stage: Stage, attempts: int, failures: int, p95: float, size: int = 60
) -> WindowAggregated:
    """A closed tumbling window result of the aggregator."""
    return WindowAggregated(
        producer=WHO,
        event_time=start + timedelta(seconds=size),
        window_start=start,
        window_end=start + timedelta(seconds=size),
        window_seconds=size,
        hop_seconds=size,
        stage=stage,
        attempts=attempts,
        successes=attempts - failures,
        failures=failures,
        error_rate=failures / attempts if attempts else 0.0,
        failures_by_code={"FFMPEG_FAILED": failures} if failures else {},
        duration_count=attempts,
        duration_sum_seconds=attempts * p95 / 2,
        duration_min_seconds=1.0,
        duration_max_seconds=p95 + 1,
        p50_seconds=p95 / 2,
        p95_seconds=p95,
        p99_seconds=p95 + 1,
        late_events=0,
        closed=True,
    )


def delivery(
    at: datetime, alert_ids: tuple[str, ...], attempt: int, ok: bool, sink: str = "oncall"
) -> AlertDelivered | AlertDeliveryFailed:
    """One attempt of the notifier to deliver notification ntf-1."""
    common: dict[str, Any] = {
        "producer": WHO,
        "event_time": at,
        "notification_id": "ntf-1",
        "group_key": "route=oncall",
        "sink": sink,
        "sink_type": "slack",
        "status": "firing",
        "alert_ids": alert_ids,
        "attempt": attempt,
        "duration_ms": 12.5,
    }
    if ok:
        return AlertDelivered(**common, http_status=200)
    return AlertDeliveryFailed(
        **common, http_status=503, error="HTTP 503", final=False, retry_in_seconds=2.0
    )


def silence(silence_id: str, start: datetime, minutes: int) -> SilenceCreated:
    """A silence of the processing-failure rule."""
    return SilenceCreated(
        producer=WHO,
        event_time=start,
        silence_id=silence_id,
        matchers=(SilenceMatcher(label="rule", op="=", value="processing_failed"),),
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        author="alice",
        comment="maintenance",
    )
