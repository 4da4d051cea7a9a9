"""The compiled Avro reader of pipeline events reads what the codec reads, and fails as it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediawatch_common.avro import DecodeError
from mediawatch_common.avro.compiled import UnsupportedSchemaError, compile_reader
from mediawatch_common.events import (
    ClipInput,
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    default_codec,
    encode_event,
)
from mediawatch_projector.message_decoding import (
    PIPELINE_EVENTS,
    compiled_readers,
    make_decoder,
    plain_values,
)

pytestmark = pytest.mark.unit

CODEC = default_codec()
INT = st.integers(-(2**31), 2**31 - 1)
LONG = st.integers(-(2**63), 2**63 - 1)
TIME = st.integers(-(2**40), 2**52).map(
    lambda us: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
)
DOUBLE = st.floats(allow_nan=False)
PRODUCER = st.builds(Producer, service=st.text(), host=st.text(), pid=INT)
COMMON: dict[str, Any] = {
    "producer": PRODUCER,
    "event_time": TIME,
    "session_id": st.text(),
    "user_id": st.text(),
}
STAGED: dict[str, Any] = {**COMMON, "stage": st.sampled_from(Stage), "attempt": INT}
EVENTS = st.one_of(
    st.builds(
        TranscodeRequested,
        **COMMON,
        inputs=st.lists(
            st.builds(ClipInput, uri=st.text(), filename=st.text(), size_bytes=LONG),
            max_size=70,
        ).map(tuple),
        options=st.dictionaries(st.text(), st.text(), max_size=70),
    ),
    st.builds(
        StageStarted,
        **STAGED,
        video_count=st.none() | INT,
        total_size_bytes=st.none() | LONG,
    ),
    st.builds(
        StageCompleted,
        **STAGED,
        started_at=TIME,
        success=st.booleans(),
        duration_seconds=DOUBLE,
        error_code=st.none() | st.sampled_from(ErrorCode),
        error_message=st.none() | st.text(),
        input_size_bytes=st.none() | LONG,
        output_size_bytes=st.none() | LONG,
        video_count=st.none() | INT,
        peak_memory_mb=st.none() | DOUBLE,
        cpu_percent=st.none() | DOUBLE,
    ),
)


def test_every_pipeline_event_has_a_compiled_reader() -> None:
    names = {name for name, _ in compiled_readers(CODEC).values()}

    assert names == PIPELINE_EVENTS


@settings(max_examples=300, deadline=None)
@given(EVENTS)
def test_the_compiled_reader_reads_what_the_codec_reads(event: Event) -> None:
    data = encode_event(event)

    name, record = CODEC.decode(data, uuid_as_text=True)

    assert make_decoder(CODEC)(data) == (name, plain_values(name, record), data)


@settings(max_examples=30, deadline=None)
@given(EVENTS)
def test_a_body_cut_anywhere_is_truncated(event: Event) -> None:
    data = encode_event(event)
    decode = make_decoder(CODEC)

    for end in range(10, len(data)):
        with pytest.raises(DecodeError) as caught:
            decode(data[:end])
        assert caught.value.reason == "truncated_body"


def _completed() -> bytes:
    return encode_event(
        StageCompleted(
            producer=Producer(service="s", host="h", pid=1),
            event_time=datetime(2026, 1, 1, tzinfo=UTC),
            session_id="s",
            user_id="u",
            stage=Stage.CLEANUP,
            started_at=datetime(2026, 1, 1, tzinfo=UTC),
            success=True,
            duration_seconds=1.0,
        )
    )


def test_trailing_bytes_are_invalid() -> None:
    with pytest.raises(DecodeError) as caught:
        make_decoder(CODEC)(_completed() + b"\x00")

    assert caught.value.reason == "invalid_body"


def test_an_enum_index_out_of_range_is_invalid() -> None:
    data = bytearray(_completed())
    stage = data.index(b"\x02u") + 2  # after user_id "u": the stage's index, CLEANUP = 6
    assert data[stage] == 12  # zig-zag 6
    data[stage] = 14

    with pytest.raises(DecodeError) as caught:
        make_decoder(CODEC)(bytes(data))

    assert caught.value.reason == "invalid_body"


def test_a_union_branch_out_of_range_is_invalid() -> None:
    data = bytearray(_completed())
    # The seven optional fields, all null, then an empty metadata map.
    assert data[-8:] == b"\x00" * 8
    data[-2] = 4  # branch 2 of cpu_percent's ["null", "double"]

    with pytest.raises(DecodeError) as caught:
        make_decoder(CODEC)(bytes(data))

    assert caught.value.reason == "invalid_body"


def test_a_schema_with_an_unsupported_type_is_left_to_the_codec() -> None:
    schema = {
        "type": "record",
        "name": "io.example.Odd",
        "fields": [{"name": "day", "type": {"type": "int", "logicalType": "date"}}],
    }

    with pytest.raises(UnsupportedSchemaError):
        compile_reader(schema)
