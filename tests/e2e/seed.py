"""Demo-like history for the dashboard: sessions, resource samples, window results."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from mediawatch_common.events import (
    ErrorCode,
    Event,
    LogRecorded,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
    WindowAggregated,
)

STAGES = list(Stage)


def session(
    session_id: str, start: datetime, host: str, fail_at: Stage | None = None, stop_after: int = 7
) -> list[Event]:
    """Stage pairs of one session, 4 s per stage; it stops at a failure or after
    ``stop_after`` stages (the last one then only started: the session is active)."""
    who = Producer(service="transcoder", host=host, pid=100)
    events: list[Event] = []
    for i, stage in enumerate(STAGES[:stop_after]):
        began = start + timedelta(seconds=4 * i)
        common: dict[str, Any] = {
            "producer": who,
            "session_id": session_id,
            "user_id": "user_456",
            "stage": stage,
        }
        events.append(StageStarted(**common, event_time=began, video_count=3))
        if i == stop_after - 1 and stop_after < 7:
            break
        failed = stage is fail_at
        events.append(
            StageCompleted(
                **common,
                event_time=began + timedelta(seconds=4),
                started_at=began,
                success=not failed,
                duration_seconds=4.0,
                error_code=ErrorCode.FFMPEG_FAILED if failed else None,
                error_message="FFmpeg process failed" if failed else None,
                peak_memory_mb=300.0,
            )
        )
        if failed:
            break
    return events


def samples(now: datetime, hosts: tuple[str, ...], minutes: int) -> list[ResourceSample]:
    """One sample a minute per host, with some movement."""
    rng = random.Random(7)
    who = Producer(service="transcoder", host="worker", pid=100)
    return [
        ResourceSample(
            producer=who,
            event_time=now - timedelta(minutes=m),
            host=host,
            cpu_percent=20 + 15 * h + rng.uniform(0, 25),
            memory_percent=40 + 10 * h + rng.uniform(0, 10),
            memory_used_mb=4096.0,
            disk_percent=55 + 5 * h + m / 30,
            disk_path="/tmp",
            temp_dir_bytes=1_000_000,
            active_sessions=rng.randint(0, 3),
        )
        for h, host in enumerate(hosts)
        for m in range(minutes, 0, -1)
    ]


def windows(
    now: datetime, minutes: int, size: int = 60, hop: int | None = None
) -> list[WindowAggregated]:
    """Closed windows of every stage over the last ``minutes``: ``size`` seconds long, one
    every ``hop`` seconds (tumbling when ``hop`` is None)."""
    rng = random.Random(11 + size)
    who = Producer(service="metrics-aggregator", host="agg", pid=100)
    step = hop or size
    base = now.replace(second=0, microsecond=0)
    out = []
    for k in range(minutes * 60 // step, 0, -1):
        start = base - timedelta(seconds=k * step)
        for i, stage in enumerate(STAGES):
            attempts = rng.randint(4, 12)
            failures = rng.choice([0, 0, 0, 1, 2]) if stage is Stage.COMPRESSION else 0
            p95 = 2.0 + i + rng.uniform(0, 2)
            out.append(
                WindowAggregated(
                    producer=who,
                    event_time=start + timedelta(seconds=size),
                    window_start=start,
                    window_end=start + timedelta(seconds=size),
                    window_seconds=size,
                    hop_seconds=step,
                    stage=stage,
                    attempts=attempts,
                    successes=attempts - failures,
                    failures=failures,
                    error_rate=failures / attempts,
                    failures_by_code={"FFMPEG_FAILED": failures} if failures else {},
                    duration_count=attempts,
                    duration_sum_seconds=attempts * p95 / 2,
                    duration_min_seconds=0.5,
                    duration_max_seconds=p95 + 1,
                    p50_seconds=p95 / 2,
                    p95_seconds=p95,
                    p99_seconds=p95 + 0.8,
                    late_events=0,
                    closed=True,
                )
            )
    return out


def active(session_id: str, start: datetime, user_id: str, stage: Stage) -> StageStarted:
    """A session in progress: it started ``stage`` at ``start`` and nothing since."""
    who = Producer(service="transcoder", host="worker-1", pid=100)
    return StageStarted(
        producer=who,
        session_id=session_id,
        user_id=user_id,
        stage=stage,
        event_time=start,
        video_count=2,
    )


def error_record(at: datetime, message: str, session_id: str) -> LogRecorded:
    """An ERROR record of the transcoder about ``session_id``."""
    return LogRecorded(
        producer=Producer(service="transcoder", host="worker-2", pid=100),
        event_time=at,
        timestamp=at,
        level="ERROR",
        logger="mediawatch_transcoder",
        message=message,
        module="stages",
        function="run_stage",
        line=120,
        process_id=100,
        thread_id=1,
        extra={"session_id": session_id, "error_code": "FFMPEG_FAILED"},
    )
