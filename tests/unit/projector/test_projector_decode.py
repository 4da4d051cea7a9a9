"""The projector's decoder and the JSON it stores for pipeline events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from mediawatch_api.queries.sessions import decoded_record
from mediawatch_common.avro import DecodeError
from mediawatch_common.events import (
    ClipInput,
    ErrorCode,
    Event,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    default_codec,
    encode_event,
    to_record,
)
from mediawatch_projector.message_decoding import PIPELINE_FIELDS, make_decoder, plain_values

pytestmark = pytest.mark.unit

T0 = datetime(2024, 1, 1, 10, 5, 30, 123456, tzinfo=UTC)
WHO = Producer(service="t", host="h", pid=1)
PIPELINE: list[Event] = [
    TranscodeRequested(
        producer=WHO,
        event_time=T0,
        session_id="s",
        user_id="u",
        inputs=(ClipInput(uri="file:///a.mp4", filename="a é.mp4", size_bytes=3),),
        options={"quality": "high"},
    ),
    StageStarted(producer=WHO, event_time=T0, session_id="s", user_id="u", stage=Stage.UPLOAD),
    StageCompleted(
        producer=WHO,
        event_time=T0,
        session_id="s",
        user_id="u",
        stage=Stage.MERGING,
        started_at=T0,
        success=False,
        duration_seconds=4.5,
        error_code=ErrorCode.FFMPEG_FAILED,
        error_message="FFmpeg process failed",
    ),
]


@pytest.mark.parametrize("event", PIPELINE, ids=lambda e: type(e).__name__)
def test_a_pipeline_event_decodes_to_its_plain_record_with_the_id_as_text(event: Event) -> None:
    data = encode_event(event)
    decoded = make_decoder(default_codec())(data)

    assert isinstance(decoded, tuple)
    name, values, message = decoded
    assert message is data
    assert name == type(event).__name__
    assert values[0] == str(event.event_id)
    assert values == plain_values(name, {**to_record(event), "event_id": str(event.event_id)})


@pytest.mark.parametrize("event", PIPELINE, ids=lambda e: type(e).__name__)
def test_the_timeline_shows_the_kept_message_as_the_typed_events_record(event: Event) -> None:
    codec = default_codec()
    *_, message = make_decoder(codec)(encode_event(event))  # type: ignore[misc]

    assert decoded_record(codec, message) == {**to_record(event), "event_id": str(event.event_id)}


def test_other_events_decode_to_their_typed_event() -> None:
    event = ResourceSample(
        producer=WHO,
        host="h",
        cpu_percent=1.0,
        memory_percent=2.0,
        memory_used_mb=3.0,
        disk_percent=4.0,
        disk_path="/",
        temp_dir_bytes=5,
        active_sessions=6,
    )

    assert make_decoder(default_codec())(encode_event(event)) == event


def _with_event_id(text: str) -> bytes:
    data = encode_event(PIPELINE[1])
    return data.replace(str(PIPELINE[1].event_id).encode(), text.encode(), 1)


def test_an_event_id_in_another_spelling_is_stored_canonical() -> None:
    upper = str(PIPELINE[1].event_id).upper()

    _, values, _ = make_decoder(default_codec())(_with_event_id(upper))  # type: ignore[misc]

    assert values[0] == str(uuid.UUID(upper))


def test_an_event_id_that_is_not_a_uuid_is_undecodable() -> None:
    with pytest.raises(DecodeError) as caught:
        make_decoder(default_codec())(_with_event_id("z" * 36))

    assert caught.value.reason == "invalid_body"


def test_every_pipeline_events_values_start_with_what_add_pipeline_reads_first() -> None:
    common = ("event_id", "event_time", "session_id", "user_id")
    for name, fields in PIPELINE_FIELDS.items():
        assert fields[:4] == common
        if name != "TranscodeRequested":
            assert fields[4:6] == ("stage", "attempt")
