"""Every event type through the common producer, read back raw, decoded independently."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import fastavro
import pytest

from mediawatch_common.events import (
    EVENT_TYPES,
    AlertAcknowledged,
    AlertDelivered,
    AlertDeliveryFailed,
    AlertLevel,
    AlertRaised,
    AlertResolved,
    ClipInput,
    CustomAlertReported,
    DeadLetterRedriven,
    ErrorCode,
    Event,
    HealthChecked,
    HealthCheckResult,
    LogRecorded,
    Producer,
    ResourceSample,
    SilenceCreated,
    SilenceExpired,
    SilenceMatcher,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    WindowAggregated,
    encode_event,
    to_record,
)
from mediawatch_common.kafka import EventProducer, producer_config

from .helpers import read_raw

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "avro"
T0 = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
WHO = Producer(service="test", host="worker-1", pid=4242)


def _examples() -> list[Event]:
    common: dict[str, Any] = {"producer": WHO, "event_time": T0}
    session: dict[str, Any] = {"session_id": "video_session_123", "user_id": "user_456"}
    return [
        TranscodeRequested(
            **common,
            **session,
            options={"crf": "23"},
            inputs=(ClipInput(uri="file:///in/a.mp4", filename="a.mp4", size_bytes=1234),),
        ),
        StageStarted(
            **common, **session, stage=Stage.MERGING, video_count=3, total_size_bytes=47_395_635
        ),
        StageCompleted(
            **common,
            **session,
            stage=Stage.MERGING,
            started_at=T0,
            success=False,
            duration_seconds=45.2,
            error_code=ErrorCode.FFMPEG_FAILED,
            error_message="FFmpeg process failed",
            peak_memory_mb=512.3,
            cpu_percent=88.5,
            video_count=3,
        ),
        ResourceSample(
            **common,
            host="worker-1",
            cpu_percent=15.2,
            memory_percent=45.8,
            memory_used_mb=2048.5,
            disk_percent=23.1,
            disk_path="/tmp",
            temp_dir_bytes=10_485_760,
            active_sessions=2,
        ),
        WindowAggregated(
            **common,
            window_start=T0,
            window_end=T0,
            window_seconds=60,
            hop_seconds=60,
            stage=Stage.COMPRESSION,
            attempts=10,
            successes=8,
            failures=2,
            error_rate=0.2,
            failures_by_code={"TIMEOUT_ERROR": 2},
            duration_count=10,
            duration_sum_seconds=200.0,
            p50_seconds=19.5,
            p95_seconds=30.1,
            p99_seconds=31.0,
            closed=True,
        ),
        AlertRaised(
            **common,
            alert_id="alert_1640995200_123",
            fingerprint="f" * 16,
            rule="processing_failed",
            level=AlertLevel.ERROR,
            title="Processing Failed: merging",
            message="Session video_session_123 failed at merging: FFmpeg process failed",
            stage=Stage.MERGING,
            labels={"stage": "merging"},
            metadata={
                "error_code": "FFMPEG_FAILED",
                "duration_seconds": 45.2,
                "retried": False,
                "attempt": 1,
            },
            starts_at=T0,
            **session,
        ),
        AlertResolved(
            **common,
            alert_id="alert_1640995200_123",
            fingerprint="f" * 16,
            rule="processing_failed",
            reason="condition cleared",
            ends_at=T0,
        ),
        LogRecorded(
            **common,
            timestamp=T0,
            level="INFO",
            logger="mediawatch_transcoder",
            message="Video merge completed successfully",
            module="merge",
            function="merge_videos",
            line=245,
            process_id=12345,
            thread_id=67890,
            extra={"session_id": "video_session_123", "video_count": 3},
        ),
        HealthChecked(
            **common,
            host="api-1",
            overall_status="critical",
            checked_at=T0,
            total_check_time_ms=31.5,
            checks=(
                HealthCheckResult(
                    component="ffmpeg",
                    status="critical",
                    message="ffmpeg not found on PATH",
                    response_time_ms=0.4,
                    details={"available": False},
                ),
            ),
        ),
        AlertDelivered(
            **common,
            notification_id="ntf_1640995200_1",
            group_key="route=oncall,rule=processing_failed",
            sink="oncall-slack",
            sink_type="slack",
            status="firing",
            alert_ids=("alert_1640995200_123",),
            attempt=1,
            http_status=200,
            duration_ms=12.5,
        ),
        AlertDeliveryFailed(
            **common,
            notification_id="ntf_1640995200_1",
            group_key="route=oncall,rule=processing_failed",
            sink="audit",
            sink_type="webhook",
            status="resolved",
            alert_ids=("alert_1640995200_123",),
            attempt=3,
            duration_ms=5000.0,
            error="timeout after 5.0s",
            final=True,
        ),
        SilenceCreated(
            **common,
            silence_id="silence_1640995200_1",
            matchers=(SilenceMatcher(label="host", op="=", value="worker-1"),),
            starts_at=T0,
            ends_at=T0,
            author="alice",
            comment="maintenance",
        ),
        SilenceExpired(**common, silence_id="silence_1640995200_1", reason="ended", expired_at=T0),
        AlertAcknowledged(
            **common,
            alert_id="alert_1640995200_1",
            fingerprint="processing_failed:video_session_123",
            rule="processing_failed",
            acknowledged_by="alice",
            comment="on it",
        ),
        CustomAlertReported(
            **common,
            alert_type="upload_quota_low",
            level=AlertLevel.WARNING,
            resolved=True,
            labels={"bucket": "uploads-eu"},
            context={"free_gb": 60.0},
        ),
        DeadLetterRedriven(
            **common,
            deadletter_partition=0,
            deadletter_offset=3,
            origin_topic="mediawatch.pipeline",
            reason="DecodeError: bad_marker",
            forced=True,
        ),
    ]


def crc64_avro(text: str) -> bytes:
    """The Avro spec's reference Rabin fingerprint, little-endian: independent of the codec."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in text.encode():
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return struct.pack("<Q", fp)


def _normalise(value: object) -> object:
    """fastavro's plain reading versus our typed records: compare like with like."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    return value


def test_every_event_type_is_covered() -> None:
    assert {type(e).__name__ for e in _examples()} == set(EVENT_TYPES)


def test_each_event_reads_back_equal_with_fastavro_and_the_avsc(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic = new_topic("roundtrip")
    producer = EventProducer(producer_config(bootstrap, "test-roundtrip"))
    examples = _examples()
    for event in examples:
        producer.produce(topic, encode_event(event), key="k")
    producer.flush()

    messages = read_raw(bootstrap, topic, len(examples))
    assert len(messages) == len(examples)
    for event, msg in zip(examples, messages, strict=True):
        name = type(event).__name__
        schema = fastavro.schema.load_schema(str(SCHEMAS / f"io.mediawatch.events.{name}.avsc"))
        canonical = fastavro.schema.to_parsing_canonical_form(schema)
        data = msg.value()
        assert data is not None
        assert data[:2] == b"\xc3\x01", name
        assert data[2:10] == crc64_avro(canonical), name
        decoded = fastavro.schemaless_reader(io.BytesIO(data[10:]), schema, schema)
        assert _normalise(decoded) == _normalise(to_record(event)), name


def test_delivery_failure_reaches_the_caller(bootstrap: str) -> None:
    from mediawatch_common.kafka import DeliveryError

    producer = EventProducer(producer_config(bootstrap, "test-fail", {"message.timeout.ms": 3000}))
    producer.produce("test.missing.topic.never.created", b"x")
    with pytest.raises(DeliveryError, match="not delivered"):
        producer.flush(timeout=15)
