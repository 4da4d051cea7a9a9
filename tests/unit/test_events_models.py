"""Typed event behaviour: defaults, immutability, enum labels, record conversion."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from mediawatch_common.events import (
    AlertLevel,
    AlertRaised,
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    event_name,
    from_record,
    to_record,
)

pytestmark = pytest.mark.unit

PRODUCER = Producer(service="transcoder", host="worker-1", pid=7)


def completed(**overrides: object) -> StageCompleted:
    values: dict[str, object] = {
        "producer": PRODUCER,
        "session_id": "video_session_123",
        "user_id": "user_456",
        "stage": Stage.MERGING,
        "started_at": datetime(2023, 12, 31, 23, 59, tzinfo=UTC),
        "success": True,
        "duration_seconds": 23.4,
    }
    values.update(overrides)
    return StageCompleted(**values)  # type: ignore[arg-type]


def test_stage_label_is_the_lowercase_name() -> None:
    assert Stage.MERGING.label == "merging"
    assert Stage.STORAGE_UPLOAD.label == "storage_upload"
    assert Stage.from_label("merging") is Stage.MERGING


def test_unknown_stage_label_is_rejected() -> None:
    with pytest.raises(ValueError, match="transcoding"):
        Stage.from_label("transcoding")


def test_new_events_get_a_fresh_id_and_an_aware_utc_time() -> None:
    before = datetime.now(UTC)

    first, second = completed(), completed()

    assert first.event_id != second.event_id
    assert first.event_id.version == 4
    assert first.event_time.tzinfo is UTC
    assert before <= first.event_time <= datetime.now(UTC)
    assert first.attempt == 1
    assert first.error_code is None


def test_events_are_immutable() -> None:
    event = completed()

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.success = False  # type: ignore[misc]


def test_to_record_uses_avro_symbols_and_plain_records() -> None:
    record = to_record(completed(success=False, error_code=ErrorCode.FFMPEG_FAILED))

    assert record["stage"] == "MERGING"
    assert record["error_code"] == "FFMPEG_FAILED"
    assert record["producer"] == {"service": "transcoder", "host": "worker-1", "pid": 7}
    assert list(record)[:3] == ["event_id", "event_time", "producer"]


def test_from_record_inverts_to_record() -> None:
    alert = AlertRaised(
        producer=PRODUCER,
        alert_id="alert_1703987999_1",
        fingerprint="processing_failed:video_session_123:merging",
        rule="processing_failed",
        level=AlertLevel.CRITICAL,
        title="Processing Failed: merging",
        message="failed",
        stage=Stage.MERGING,
        metadata={"memory_usage_mb": 512.3, "error_code": "FFMPEG_FAILED", "n": None},
        starts_at=datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC),
    )

    rebuilt = from_record(event_name(alert), to_record(alert))

    assert rebuilt == alert
    assert isinstance(rebuilt, AlertRaised)
    assert rebuilt.level is AlertLevel.CRITICAL
    assert rebuilt.stage is Stage.MERGING


def test_from_record_rejects_unknown_event_names() -> None:
    with pytest.raises(KeyError):
        from_record("StageExploded", {})


def test_producer_current_describes_this_process() -> None:
    producer = Producer.current("alerter")

    assert producer.service == "alerter"
    assert producer.pid > 0
    assert producer.host
