from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_common.events import ErrorCode, Producer, Stage, StageCompleted
from mediawatch_transcoder.metrics import STAGE_BUCKETS, TranscoderMetrics

pytestmark = pytest.mark.unit

WHO = Producer(service="transcoder", host="h", pid=1)


def _done(session: str, stage: Stage, seconds: float, code: ErrorCode | None = None,
          memory_mb: float | None = None) -> StageCompleted:  # fmt: skip
    return StageCompleted(
        producer=WHO,
        session_id=session,
        user_id="u",
        stage=stage,
        started_at=datetime.now(UTC),
        success=code is None,
        duration_seconds=seconds,
        error_code=code,
        peak_memory_mb=memory_mb,
    )


def _metrics() -> tuple[TranscoderMetrics, CollectorRegistry]:
    registry = CollectorRegistry()
    return TranscoderMetrics(registry), registry


def test_every_stage_has_duration_buckets_before_any_session() -> None:
    _, registry = _metrics()
    for stage in Stage:
        labels = {"stage": stage.label, "outcome": "success", "le": "1800.0"}
        assert registry.get_sample_value("mediawatch_stage_duration_seconds_bucket", labels) == 0
    assert STAGE_BUCKETS[0] == 0.1
    assert STAGE_BUCKETS[-1] == 1800


def test_stage_durations_and_counts_by_outcome_and_code() -> None:
    metrics, registry = _metrics()
    metrics.observe(_done("s1", Stage.MERGING, 4.0))
    metrics.observe(_done("s2", Stage.MERGING, 400.0, ErrorCode.FFMPEG_FAILED))
    value = registry.get_sample_value
    ok = {"stage": "merging", "outcome": "success"}
    assert value("mediawatch_stage_duration_seconds_bucket", {**ok, "le": "5.0"}) == 1
    assert value("mediawatch_stage_duration_seconds_bucket", {**ok, "le": "2.5"}) == 0
    assert value("mediawatch_stage_duration_seconds_sum", ok) == 4.0
    failed = {"stage": "merging", "outcome": "failure"}
    assert value("mediawatch_stage_duration_seconds_bucket", {**failed, "le": "300.0"}) == 0
    assert value("mediawatch_stage_duration_seconds_bucket", {**failed, "le": "600.0"}) == 1
    assert value("mediawatch_stages_total", {**ok, "error_code": "none"}) == 1
    assert value("mediawatch_stages_total", {**failed, "error_code": "FFMPEG_FAILED"}) == 1


def test_a_session_ends_at_cleanup_with_its_first_failure() -> None:
    metrics, registry = _metrics()
    metrics.observe(_done("ok", Stage.UPLOAD, 0.2))
    metrics.observe(_done("ok", Stage.CLEANUP, 0.1))
    metrics.observe(_done("bad", Stage.ANALYSIS, 0.3, ErrorCode.FFPROBE_FAILED))
    metrics.observe(_done("bad", Stage.CLEANUP, 0.1))
    metrics.observe(_done("worse", Stage.CLEANUP, 0.1, ErrorCode.CLEANUP_FAILED))
    value = registry.get_sample_value
    assert value("mediawatch_sessions_total", {"outcome": "success", "error_code": "none"}) == 1
    labels = {"outcome": "failure", "error_code": "FFPROBE_FAILED"}
    assert value("mediawatch_sessions_total", labels) == 1
    labels = {"outcome": "failure", "error_code": "CLEANUP_FAILED"}
    assert value("mediawatch_sessions_total", labels) == 1


def test_ffmpeg_memory_jobs_in_flight_and_the_emit_wrapper() -> None:
    metrics, registry = _metrics()
    sent: list[object] = []
    emit = metrics.observing(sent.append)
    emit(_done("s", Stage.COMPRESSION, 3.0, memory_mb=12.5))
    emit(_done("s", Stage.ANALYSIS, 0.1))  # no ffmpeg run: the gauge keeps its value
    assert len(sent) == 2
    labels = {"stage": "compression"}
    assert registry.get_sample_value("mediawatch_ffmpeg_peak_memory_bytes", labels) == 12.5 * 2**20
    running = [2]
    metrics.count_jobs(lambda: running[0])
    assert registry.get_sample_value("mediawatch_transcoder_jobs_in_flight") == 2
    running[0] = 0
    assert registry.get_sample_value("mediawatch_transcoder_jobs_in_flight") == 0
