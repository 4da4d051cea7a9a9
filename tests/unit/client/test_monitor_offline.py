"""With Kafka unreachable, calls return at once and every event waits in the spool, in order.

The broker address is a closed local port, so these tests need no stack: what the monitor
would have sent is read back from its spool and decoded as the services decode it.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from mediawatch_client import ClientConfig, ErrorCode, MediaMonitor, ProcessingStage
from mediawatch_client.spool import Spool
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import StageCompleted, StageStarted, decode_event

pytestmark = pytest.mark.unit


def offline(tmp_path: Path) -> MediaMonitor:
    return MediaMonitor(
        ClientConfig(
            bootstrap_servers="127.0.0.1:1",
            producer_name="offline-test",
            spool_dir=tmp_path,
            delivery_timeout=0.3,
            retry_interval=0.2,
            close_timeout=2.0,
        )
    )


def spooled(tmp_path: Path) -> list[StageStarted | StageCompleted]:
    spool = Spool(tmp_path / "offline-test", 1 << 30)
    codec = AvroCodec(SchemaRegistry())
    events = [decode_event(m.value, codec) for m in spool.read(10_000).messages]
    spool.close()
    assert all(isinstance(e, StageStarted | StageCompleted) for e in events)
    return events  # type: ignore[return-value]


def test_the_usage_example_spools_its_pair_while_kafka_is_away(tmp_path: Path) -> None:
    media_monitor = offline(tmp_path)

    async def pipeline() -> None:
        await media_monitor.start_processing(
            session_id="video_session_123",
            user_id="user_456",
            stage=ProcessingStage.MERGING,
            metadata={"video_count": 3, "total_size_mb": 45.2},
        )
        await media_monitor.complete_processing(
            session_id="video_session_123",
            stage=ProcessingStage.MERGING,
            success=True,
            file_size_bytes=15728640,
            video_count=3,
        )

    asyncio.run(pipeline())
    media_monitor.close()
    start, done = spooled(tmp_path)
    assert isinstance(start, StageStarted)
    assert isinstance(done, StageCompleted)
    assert (start.session_id, start.user_id, start.stage.name, start.video_count) == (
        "video_session_123",
        "user_456",
        "MERGING",
        3,
    )
    assert (done.user_id, done.success, done.output_size_bytes, done.attempt) == (
        "user_456",
        True,
        15728640,
        1,
    )
    assert done.started_at == start.event_time
    assert start.metadata == {"video_count": 3, "total_size_mb": 45.2}
    assert start.producer.service == "offline-test"


def test_a_failing_block_is_reported_with_its_code_and_re_raised(tmp_path: Path) -> None:
    monitor = offline(tmp_path)

    def compress() -> None:
        with monitor.stage("s1", "u1", "compression") as stage:
            stage.set(video_count=3, input_size_bytes=1000)
            sum(i * i for i in range(200_000))
            raise TimeoutError("ffmpeg took too long")

    with pytest.raises(TimeoutError, match="took too long"):
        compress()
    with monitor.stage("s1", "u1", ProcessingStage.COMPRESSION) as stage:
        stage.set(file_size_bytes=2048, metadata={"codec": "h264", "crf": 23})
    monitor.close()
    events = spooled(tmp_path)
    assert [type(e).__name__ for e in events] == [
        "StageStarted", "StageCompleted", "StageStarted", "StageCompleted",
    ]  # fmt: skip
    failed, retried = events[1], events[3]
    assert isinstance(failed, StageCompleted)
    assert isinstance(retried, StageCompleted)
    assert (failed.success, failed.attempt) == (False, 1)
    assert failed.error_code is not None
    assert failed.error_code.name == ErrorCode.TIMEOUT_ERROR
    assert failed.error_message == "TimeoutError: ffmpeg took too long"
    assert (failed.video_count, failed.input_size_bytes) == (3, 1000)
    assert failed.duration_seconds > 0
    assert failed.cpu_percent is not None
    assert failed.peak_memory_mb is not None
    assert failed.peak_memory_mb > 10
    assert (retried.success, retried.attempt, retried.output_size_bytes) == (True, 2, 2048)
    assert retried.metadata == {"codec": "h264", "crf": 23}


def test_a_decorated_coroutine_is_one_stage(tmp_path: Path) -> None:
    monitor = offline(tmp_path)

    @monitor.track(ProcessingStage.ANALYSIS)
    async def analyse(path: str, *, session_id: str, user_id: str) -> int:
        await asyncio.sleep(0)
        return len(path)

    assert asyncio.run(analyse("clip.mp4", session_id="s9", user_id="u9")) == 8
    monitor.close()
    start, done = spooled(tmp_path)
    assert (start.session_id, done.stage.name, done.success) == ("s9", "ANALYSIS", True)  # type: ignore[union-attr]


def test_completing_without_a_start_warns_and_still_reports(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monitor = offline(tmp_path)
    monitor.complete_processing_sync(
        "orphan", "UPLOAD", False, error_code="VALIDATION_FAILED", duration_seconds=2.5
    )
    monitor.close()
    assert any(
        r.message == "complete_processing without start_processing"
        and getattr(r, "session_id", None) == "orphan"
        and getattr(r, "stage", None) == "upload"
        for r in caplog.records
    )
    (done,) = spooled(tmp_path)
    assert isinstance(done, StageCompleted)
    assert (done.user_id, done.attempt, done.duration_seconds) == ("unknown", 1, 2.5)
    assert done.error_code is not None
    assert done.error_code.name == "VALIDATION_FAILED"


def test_a_forked_child_reports_with_its_own_pid_and_spool(tmp_path: Path) -> None:
    monitor = offline(tmp_path)
    assert monitor.flush(5)  # the parent's sender holds its spool before the fork
    pid = os.fork()
    if pid == 0:  # the child: report one event, then leave without running the parent's atexit
        code = 1
        try:
            monitor.start_processing_sync("forked", "u", ProcessingStage.UPLOAD)
            monitor.close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    monitor.close()
    assert os.waitstatus_to_exitcode(status) == 0
    child_spool = Spool(tmp_path / "offline-test-2", 1 << 30)
    (message,) = child_spool.read(10).messages
    child_spool.close()
    event = decode_event(message.value, AvroCodec(SchemaRegistry()))
    assert isinstance(event, StageStarted)
    assert (event.session_id, event.producer.pid) == ("forked", pid)


def test_a_flush_after_close_tells_that_events_were_left_in_the_spool(tmp_path: Path) -> None:
    monitor = offline(tmp_path)
    monitor.start_processing_sync("s1", "u1", ProcessingStage.MERGING)
    monitor.close()
    outcome = monitor.flush(1)
    assert outcome.spooled
    assert not outcome.acknowledged
