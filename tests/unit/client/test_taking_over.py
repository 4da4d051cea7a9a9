"""What a worker needs beyond the pipeline's calls: explicit attempts and times, lost stages,
resource samples, and a flush that says whether Kafka has everything.

Kafka is a closed local port here: events are read back from the spool.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mediawatch_client import HostSample, ProcessingStage
from mediawatch_client.spool import Spool
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import ErrorCode, ResourceSample, StageCompleted, decode_event

from .test_monitor_offline import offline

pytestmark = pytest.mark.unit

SAMPLE = HostSample(cpu_percent=12.5, memory_percent=40.0, memory_used_mb=2048.0,
                    disk_percent=71.0, disk_path="/tmp/work", temp_dir_bytes=4096,
                    active_sessions=1)  # fmt: skip


def read_back(tmp_path: Path) -> list[Any]:
    spool = Spool(tmp_path / "offline-test", 1 << 30)
    codec = AvroCodec(SchemaRegistry())
    try:
        return [decode_event(m.value, codec) for m in spool.read(10_000).messages]
    finally:
        spool.close()


def test_explicit_attempt_and_times_are_carried_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monitor = offline(tmp_path)
    began = datetime.now(UTC) - timedelta(seconds=30)
    assert monitor.start_processing_sync("s", "u", "MERGING", attempt=3, started_at=began) == 3
    monitor.complete_processing_sync("s", "MERGING", True, attempt=3)
    # a completion naming an attempt this process never started, with its start time
    monitor.complete_processing_sync("s", "UPLOAD", True, user_id="u", attempt=2,
                                     started_at=began, duration_seconds=1.5)  # fmt: skip
    # the next start of MERGING here continues after attempt 3
    assert monitor.start_processing_sync("s", "u", "MERGING") == 4
    monitor.close()
    started, merged, uploaded, again = read_back(tmp_path)
    assert (started.attempt, started.event_time) == (3, began)
    assert isinstance(merged, StageCompleted)
    assert (merged.attempt, merged.started_at) == (3, began)
    assert 29.0 < merged.duration_seconds < 60.0
    assert isinstance(uploaded, StageCompleted)
    assert (uploaded.attempt, uploaded.started_at, uploaded.duration_seconds) == (2, began, 1.5)
    assert again.attempt == 4
    assert "complete_processing without start_processing" not in caplog.text


def test_a_lost_stage_is_closed_as_worker_lost_and_numbers_the_next_attempt(
    tmp_path: Path,
) -> None:
    monitor = offline(tmp_path)
    began = datetime.now(UTC) - timedelta(seconds=5)
    monitor.complete_lost_stage_sync("s", "u", ProcessingStage.PREPARATION, 1, began,
                                     video_count=2)  # fmt: skip
    assert monitor.start_processing_sync("s", "u", ProcessingStage.PREPARATION) == 2
    monitor.close()
    lost = read_back(tmp_path)[0]
    assert isinstance(lost, StageCompleted)
    assert (lost.success, lost.error_code, lost.attempt) == (False, ErrorCode.WORKER_LOST, 1)
    assert (lost.started_at, lost.video_count, lost.user_id) == (began, 2, "u")
    assert lost.duration_seconds >= 5.0


def test_resource_samples_are_keyed_by_host_on_the_resources_topic(tmp_path: Path) -> None:
    monitor = offline(tmp_path)
    monitor.report_resources_sync(SAMPLE)
    monitor.report_resources_sync(SAMPLE, host="gpu-7")
    monitor.close()
    spool = Spool(tmp_path / "offline-test", 1 << 30)
    messages = spool.read(10).messages
    spool.close()
    assert [m.topic for m in messages] == ["mediawatch.resources"] * 2
    assert [m.key for m in messages] == [monitor.host.encode(), b"gpu-7"]
    first = decode_event(messages[0].value, AvroCodec(SchemaRegistry()))
    assert isinstance(first, ResourceSample)
    assert (first.host, first.cpu_percent, first.disk_path, first.active_sessions) == (
        monitor.host, 12.5, "/tmp/work", 1)  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda m: m.start_processing_sync("s", "u", "UPLOAD", attempt=0), ValueError,
         "attempt must be 1 or more"),
        (lambda m: m.start_processing_sync("s", "u", "UPLOAD", started_at=datetime.now()),
         ValueError, "started_at must be timezone-aware"),
        (lambda m: m.complete_processing_sync("s", "UPLOAD", True, started_at="today"),
         TypeError, "started_at must be a datetime"),
        (lambda m: m.complete_lost_stage_sync("s", "u", "UPLOAD", True, datetime.now(UTC)),
         TypeError, "attempt must be an int"),
        (lambda m: m.report_resources_sync(SAMPLE, host=""), ValueError, "host must have"),
    ],
)  # fmt: skip
def test_worker_calls_refuse_mistakes(
    tmp_path: Path, call: object, error: type[Exception], text: str
) -> None:
    monitor = offline(tmp_path)
    with pytest.raises(error, match=text):
        call(monitor)  # type: ignore[operator]
    monitor.close()
    assert read_back(tmp_path) == []


def test_a_sample_with_a_missing_measure_is_refused() -> None:
    with pytest.raises(TypeError, match="cpu_percent must be a number"):
        HostSample(
            cpu_percent=None,  # type: ignore[arg-type]
            memory_percent=1.0,
            memory_used_mb=1.0,
            disk_percent=1.0,
            disk_path="/",
            temp_dir_bytes=0,
            active_sessions=0,
        )


def test_flush_with_kafka_away_reports_spooled_not_acknowledged(tmp_path: Path) -> None:
    monitor = offline(tmp_path)
    assert monitor.flush(5).acknowledged  # nothing emitted yet
    monitor.start_processing_sync("s", "u", "UPLOAD")
    flushed = monitor.flush(10)
    assert (flushed.acknowledged, flushed.spooled, bool(flushed)) == (False, True, True)
    monitor.close()
    assert len(read_back(tmp_path)) == 1
