"""AvroCodec: decode errors, encode errors, and reading data written by other schema versions."""

from __future__ import annotations

import io
import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastavro import schemaless_writer

from mediawatch_common.avro import (
    AvroCodec,
    DecodeError,
    EncodeError,
    SchemaRegistry,
    check_compatibility,
    frame,
)
from mediawatch_common.events import ErrorCode, StageCompleted, decode_event

pytestmark = pytest.mark.unit

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "avro"
NS = "io.mediawatch.events"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def codec() -> AvroCodec:
    return AvroCodec(SchemaRegistry())


def resolved_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event_id": UUID(int=7),
        "event_time": T0,
        "producer": {"service": "alerter", "host": "h1", "pid": 10},
        "alert_id": "alert_1714564800_1",
        "fingerprint": "high_error_rate:merging",
        "rule": "high_error_rate",
        "reason": "error rate back under threshold",
        "ends_at": T0,
    }
    record.update(overrides)
    return record


def completed_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event_id": UUID(int=8),
        "event_time": T0,
        "producer": {"service": "transcoder", "host": "h1", "pid": 11},
        "session_id": "video_session_9",
        "user_id": "user_9",
        "stage": "COMPRESSION",
        "attempt": 1,
        "started_at": T0,
        "success": False,
        "duration_seconds": 3.5,
        "error_code": "TIMEOUT_ERROR",
        "error_message": "ffmpeg timed out",
        "input_size_bytes": 1000,
        "output_size_bytes": None,
        "video_count": 1,
        "peak_memory_mb": 200.0,
    }
    record.update(overrides)
    return record


# --- decode errors -------------------------------------------------------------------


def test_random_bytes_have_a_bad_marker(codec: AvroCodec) -> None:
    noise = random.Random(1234).randbytes(64)
    assert noise[:2] != b"\xc3\x01"

    with pytest.raises(DecodeError) as caught:
        codec.decode(noise)

    assert caught.value.reason == "bad_marker"


def test_short_input_is_too_short(codec: AvroCodec) -> None:
    with pytest.raises(DecodeError) as caught:
        codec.decode(b"\xc3\x01\x00")

    assert caught.value.reason == "too_short"


def test_unknown_fingerprint_is_reported_in_hex(codec: AvroCodec) -> None:
    data = frame(bytes.fromhex("0123456789abcdef"), b"\x00")

    with pytest.raises(DecodeError) as caught:
        codec.decode(data)

    assert caught.value.reason == "unknown_fingerprint"
    assert caught.value.detail == "0123456789abcdef"
    assert "0123456789abcdef" in str(caught.value)


def test_every_truncation_of_a_valid_message_is_detected(codec: AvroCodec) -> None:
    data = codec.encode("AlertResolved", resolved_record())

    for cut in range(10, len(data)):
        with pytest.raises(DecodeError) as caught:
            codec.decode(data[:cut])
        assert caught.value.reason == "truncated_body", cut


def test_trailing_bytes_are_an_invalid_body(codec: AvroCodec) -> None:
    data = codec.encode("AlertResolved", resolved_record()) + b"\x00"

    with pytest.raises(DecodeError) as caught:
        codec.decode(data)

    assert caught.value.reason == "invalid_body"
    assert "1 trailing bytes" in caught.value.detail


def test_corrupt_body_is_an_invalid_body(codec: AvroCodec) -> None:
    data = bytearray(codec.encode("AlertResolved", resolved_record()))
    data[11] = ord("z")  # first character of the event_id uuid string

    with pytest.raises(DecodeError) as caught:
        codec.decode(bytes(data))

    assert caught.value.reason == "invalid_body"


# --- encode errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (resolved_record(reason=3), "reason"),
        (resolved_record(producer={"service": "a", "host": "b", "pid": "10"}), "producer.pid"),
        (resolved_record(ends_at=datetime(2024, 5, 1)), "ends_at"),  # naive datetime
        (resolved_record(reasn="typo"), "reasn"),
        (resolved_record(event_id="not-a-uuid"), "event_id"),
        ({k: v for k, v in resolved_record().items() if k != "rule"}, "rule"),
    ],
)
def test_mismatching_record_names_the_field(
    codec: AvroCodec, record: dict[str, Any], field: str
) -> None:
    with pytest.raises(EncodeError) as caught:
        codec.encode("AlertResolved", record)

    assert caught.value.field == field
    assert f"AlertResolved.{field}" in str(caught.value)


def test_int_out_of_range_is_rejected(codec: AvroCodec) -> None:
    with pytest.raises(EncodeError) as caught:
        codec.encode("StageCompleted", completed_record(video_count=2**31))

    assert caught.value.field == "video_count"


def test_unknown_enum_symbol_is_rejected(codec: AvroCodec) -> None:
    with pytest.raises(EncodeError) as caught:
        codec.encode("StageCompleted", completed_record(stage="TRANSCODING"))

    assert caught.value.field == "stage"


def test_unknown_event_is_rejected(codec: AvroCodec) -> None:
    with pytest.raises(EncodeError, match="no current schema"):
        codec.encode("StageExploded", {})


def test_missing_optional_fields_take_their_defaults(codec: AvroCodec) -> None:
    record = completed_record()
    del record["attempt"], record["error_message"]

    _, decoded = codec.decode(codec.encode("StageCompleted", record))

    assert decoded["attempt"] == 1
    assert decoded["error_message"] is None
    assert decoded["cpu_percent"] is None


# --- schema evolution ----------------------------------------------------------------


def write_with(schema_dir: Path, version: str, name: str, edit: Any) -> None:
    """Adds released/<version>/ to schema_dir: a copy of the current set with one file edited."""
    target = schema_dir / "released" / version
    target.mkdir(parents=True)
    for path in REPO_SCHEMAS.glob("*.avsc"):
        shutil.copy(path, target / path.name)
    file = target / f"{NS}.{name}.avsc"
    file.write_text(json.dumps(edit(json.loads(file.read_text()))))


def encode_with(schema: dict[str, Any], fingerprint: bytes, record: dict[str, Any]) -> bytes:
    body = io.BytesIO()
    schemaless_writer(body, schema, record)
    return frame(fingerprint, body.getvalue())


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    shutil.copytree(REPO_SCHEMAS, tmp_path / "avro")
    return tmp_path / "avro"


def test_old_writer_without_cpu_percent_is_read_with_the_default(schema_dir: Path) -> None:
    def drop_cpu_percent(schema: dict[str, Any]) -> dict[str, Any]:
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "cpu_percent"]
        return schema

    write_with(schema_dir, "v0", "StageCompleted", drop_cpu_percent)
    registry = SchemaRegistry(schema_dir)
    old = registry.versions("StageCompleted")[0]
    assert old.version == "v0"
    assert "cpu_percent" not in old.canonical_form
    assert check_compatibility(registry.current("StageCompleted").schema, old.schema) == []
    data = encode_with(old.schema, old.fingerprint, completed_record())

    name, record = AvroCodec(registry).decode(data)
    event = decode_event(data, AvroCodec(registry))

    assert name == "StageCompleted"
    assert record["cpu_percent"] is None
    assert record["peak_memory_mb"] == 200.0
    assert isinstance(event, StageCompleted)
    assert event.cpu_percent is None
    assert event.error_code is ErrorCode.TIMEOUT_ERROR


def test_newer_error_code_is_read_as_unknown(schema_dir: Path) -> None:
    def add_symbol(schema: dict[str, Any]) -> dict[str, Any]:
        schema["symbols"].insert(0, "GPU_FAILED")
        return schema

    # Stands in for a newer producer: its writer schema is known, its symbol is not.
    write_with(schema_dir, "v99", "ErrorCode", add_symbol)
    registry = SchemaRegistry(schema_dir)
    newer = registry.versions("StageCompleted")[-2]
    assert newer.version == "v99"
    data = encode_with(newer.schema, newer.fingerprint, completed_record(error_code="GPU_FAILED"))

    event = decode_event(data, AvroCodec(registry))

    assert isinstance(event, StageCompleted)
    assert event.error_code is ErrorCode.UNKNOWN
