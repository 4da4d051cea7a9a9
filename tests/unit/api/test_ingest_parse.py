"""Events in JSON form: accepted as typed events, or refused naming the index and field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from mediawatch_api.ingest import InvalidEventError, parse_batch
from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.events import (
    AlertLevel,
    CustomAlertReported,
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CALLER = Producer(service="go-pipeline", host="10.0.0.7", pid=0)
REGISTRY = SchemaRegistry()


def parse(*items: Any) -> list[Any]:
    return parse_batch(list(items), REGISTRY, CALLER, NOW)


def test_a_minimal_start_gets_an_id_a_time_and_the_callers_identity() -> None:
    (parsed,) = parse(
        {"type": "StageStarted", "session_id": "s1", "user_id": "u1", "stage": "MERGING"}
    )
    event = parsed.event
    assert isinstance(event, StageStarted)
    assert (parsed.role, parsed.key) == ("pipeline", "s1")
    assert (event.stage, event.attempt, event.event_time, event.producer) == (
        Stage.MERGING,
        1,
        NOW,
        CALLER,
    )
    assert isinstance(event.event_id, UUID)


def test_a_full_completion_keeps_every_field() -> None:
    (parsed,) = parse(
        {
            "type": "StageCompleted",
            "event_id": "6f0c6f4e-8a3b-4c1d-9e2f-0123456789ab",
            "event_time": "2026-12-01T09:59:59.5Z",
            "producer": {"service": "node-worker", "host": "w-3", "pid": 88},
            "session_id": "s1",
            "user_id": "u1",
            "stage": "COMPRESSION",
            "attempt": 2,
            "started_at": "2026-12-01T09:59:14+00:00",
            "success": False,
            "duration_seconds": 45.5,
            "error_code": "FFMPEG_FAILED",
            "error_message": "exit 1",
            "video_count": 3,
            "metadata": {"codec": "h264"},
        }
    )
    event = parsed.event
    assert isinstance(event, StageCompleted)
    assert event.event_id == UUID("6f0c6f4e-8a3b-4c1d-9e2f-0123456789ab")
    assert event.producer == Producer(service="node-worker", host="w-3", pid=88)
    assert (event.error_code, event.attempt, event.duration_seconds) == (
        ErrorCode.FFMPEG_FAILED,
        2,
        45.5,
    )
    assert event.started_at == datetime(2026, 12, 1, 9, 59, 14, tzinfo=UTC)
    assert event.metadata == {"codec": "h264"}


def test_a_custom_alert_is_keyed_by_its_type() -> None:
    (parsed,) = parse({"type": "CustomAlertReported", "alert_type": "quota", "level": "ERROR"})
    assert isinstance(parsed.event, CustomAlertReported)
    assert (parsed.role, parsed.key, parsed.event.level) == ("alerts", "quota", AlertLevel.ERROR)


@pytest.mark.parametrize(
    ("item", "field", "detail"),
    [
        ({"type": "AlertRaised"}, "type", "'AlertRaised' is not one of"),
        ({"session_id": "s"}, "type", "None is not one of"),
        (["StageStarted"], "", "an event is a JSON object"),
        ({"type": "StageStarted", "user_id": "u", "stage": "MERGING"}, "session_id",
         "missing, and the field has no default"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "BLENDING"},
         "stage", "'BLENDING' (str) is not a symbol of io.mediawatch.events.Stage"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
          "atempt": 2}, "atempt", "not a field of io.mediawatch.events.StageStarted"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
          "event_time": "yesterday"}, "event_time", "expected long (timestamp-micros)"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
          "event_time": "2026-12-01T10:00:00"}, "event_time", "expected long"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
          "video_count": "3"}, "video_count", "matches no branch"),
        ({"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
          "producer": "me"}, "producer", "expected an object"),
    ],
)  # fmt: skip
def test_mistakes_name_the_event_and_the_field(item: Any, field: str, detail: str) -> None:
    good = {"type": "StageStarted", "session_id": "s0", "user_id": "u", "stage": "UPLOAD"}
    with pytest.raises(InvalidEventError) as caught:
        parse(good, item)
    assert (caught.value.index, caught.value.field) == (1, field)
    assert detail in caught.value.detail
    assert str(caught.value).startswith(f"events[1]{'.' + field if field else ''}: ")


def _validator() -> Any:
    import jsonschema

    from mediawatch_api.ingest import INGESTIBLE
    from mediawatch_api.ingest.json_schema import event_schemas

    schema = {"oneOf": event_schemas(REGISTRY, list(INGESTIBLE))}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_json_schema_clients_see_agrees_with_the_parser() -> None:
    validator = _validator()
    accepted = [
        {"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD"},
        {"type": "CustomAlertReported", "alert_type": "quota", "level": "ERROR",
         "labels": {"bucket": "eu"}, "context": {"free_gb": 3.5}},
        {"type": "StageCompleted", "session_id": "s", "user_id": "u", "stage": "CLEANUP",
         "started_at": "2026-12-01T10:00:00Z", "success": True, "duration_seconds": 1,
         "producer": {"pid": 3.0}},
    ]  # fmt: skip
    for item in accepted:
        assert validator.is_valid(item), list(validator.iter_errors(item))
        parse(item)
    refused = [
        {"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "merging"},
        {"type": "StageStarted", "session_id": "s\x00", "user_id": "u", "stage": "UPLOAD"},
        {"type": "StageStarted", "session_id": "s" * 1025, "user_id": "u", "stage": "UPLOAD"},
        {"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
         "metadata": {f"k{n}": n for n in range(65)}},
        {"type": "StageStarted", "session_id": "s", "user_id": "u", "stage": "UPLOAD",
         "attempt": 2**31},
    ]  # fmt: skip
    for item in refused:
        assert not validator.is_valid(item), item
        with pytest.raises(InvalidEventError):
            parse(item)
