"""The client's events are the contract's: same symbols, same bytes the services decode."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from mediawatch_client import ErrorCode, ProcessingStage
from mediawatch_client.contract import SCHEMA_DIR, enum_symbols, event_schema
from mediawatch_client.event_builders import producer, stage_completed, stage_started, stamped
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import Stage, StageCompleted, StageStarted, decode_event

pytestmark = pytest.mark.unit

AT = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)
SOURCE = producer("upload-service", "host-1", 4242)


def test_the_client_reads_the_repository_contract() -> None:
    assert SCHEMA_DIR.resolve() == (SchemaRegistry().current("StageStarted").path.parent.resolve())


def test_stage_and_error_code_members_are_the_schema_symbols() -> None:
    assert [s.name for s in ProcessingStage] == list(enum_symbols("Stage"))
    assert [c.value for c in ErrorCode] == list(enum_symbols("ErrorCode"))


def test_a_started_event_decodes_as_the_services_decode_it() -> None:
    record = stamped(
        stage_started(
            source=SOURCE,
            session_id="video_session_123",
            user_id="user_456",
            stage=ProcessingStage.MERGING,
            attempt=2,
            at=AT,
            metadata={"video_count": 3, "total_size_mb": 45.2},
        )
    )
    event = decode_event(event_schema("StageStarted").encode(record), AvroCodec(SchemaRegistry()))
    assert isinstance(event, StageStarted)
    assert event.event_id == record["event_id"]
    assert (event.session_id, event.user_id, event.stage) == (
        "video_session_123",
        "user_456",
        Stage.MERGING,
    )
    assert (event.attempt, event.video_count, event.total_size_bytes) == (2, 3, 47395635)
    assert event.event_time == AT
    assert (event.producer.service, event.producer.host, event.producer.pid) == (
        "upload-service",
        "host-1",
        4242,
    )


def test_a_failed_completion_decodes_with_its_code_and_measures() -> None:
    record = stamped(
        stage_completed(
            source=SOURCE,
            session_id="s1",
            user_id="u1",
            stage=ProcessingStage.COMPRESSION,
            attempt=1,
            started_at=AT,
            at=AT,
            success=False,
            duration_seconds=45.2,
            error_code=ErrorCode.FFMPEG_FAILED,
            error_message="ffmpeg exited with 1",
            sizes={"input_size_bytes": 100, "output_size_bytes": None},
            video_count=3,
            peak_memory_mb=512.3,
            cpu_percent=88.0,
        )
    )
    event = decode_event(event_schema("StageCompleted").encode(record), AvroCodec(SchemaRegistry()))
    assert isinstance(event, StageCompleted)
    assert not event.success
    assert event.error_code is not None
    assert event.error_code.name == "FFMPEG_FAILED"
    assert (event.error_message, event.duration_seconds, event.input_size_bytes) == (
        "ffmpeg exited with 1",
        45.2,
        100,
    )
    assert (event.peak_memory_mb, event.cpu_percent, event.video_count) == (512.3, 88.0, 3)
    assert isinstance(event.event_id, UUID)


def test_a_failure_without_a_code_is_unknown_and_a_success_carries_none() -> None:
    common = {
        "source": SOURCE, "session_id": "s", "user_id": "u", "stage": ProcessingStage.UPLOAD,
        "attempt": 1, "started_at": AT, "at": AT, "duration_seconds": 1.0,
        "error_message": "boom", "sizes": {},
        "video_count": None, "peak_memory_mb": None, "cpu_percent": None,
    }  # fmt: skip
    failed = stage_completed(success=False, error_code=None, **common)  # type: ignore[arg-type]
    ok = stage_completed(success=True, error_code=ErrorCode.FFMPEG_FAILED, **common)  # type: ignore[arg-type]
    assert (failed["error_code"], failed["error_message"]) == ("UNKNOWN", "boom")
    assert (ok["error_code"], ok["error_message"]) == (None, None)
