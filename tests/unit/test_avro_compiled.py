"""The compiled reader of a few fields reads what fastavro reads, and fails where it should."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from mediawatch_common.avro import DecodeError
from mediawatch_common.avro.compiled import (
    UnsupportedSchemaError,
    compile_fields_reader,
    compile_reader,
)

pytestmark = pytest.mark.unit

SCHEMA = cast(
    "dict[str, Any]",
    parse_schema(
        {
            "type": "record",
            "name": "mediawatch.Sample",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "flag", "type": "boolean"},
                {"name": "count", "type": "int"},
                {"name": "at", "type": "long"},
                {"name": "ratio", "type": "float"},
                {"name": "seconds", "type": "double"},
                {"name": "blob", "type": "bytes"},
                {
                    "name": "kind",
                    "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B", "C"]},
                },
                {
                    "name": "origin",
                    "type": {
                        "type": "record",
                        "name": "Origin",
                        "fields": [
                            {"name": "host", "type": "string"},
                            {"name": "pid", "type": "int"},
                        ],
                    },
                },
                {"name": "code", "type": ["null", "Kind"]},
                {"name": "note", "type": ["null", "string"]},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "labels", "type": {"type": "map", "values": "long"}},
                {"name": "last", "type": "long"},
            ],
        }
    ),
)
RECORDS = st.fixed_dictionaries(
    {
        "id": st.text(),
        "flag": st.booleans(),
        "count": st.integers(-(2**31), 2**31 - 1),
        "at": st.integers(-(2**63), 2**63 - 1),
        "ratio": st.floats(width=32, allow_nan=False),
        "seconds": st.floats(allow_nan=False),
        "blob": st.binary(),
        "kind": st.sampled_from(["A", "B", "C"]),
        "origin": st.fixed_dictionaries({"host": st.text(), "pid": st.integers(0, 2**31 - 1)}),
        "code": st.none() | st.sampled_from(["A", "B", "C"]),
        "note": st.none() | st.text(),
        "tags": st.lists(st.text(), max_size=5),
        "labels": st.dictionaries(st.text(), st.integers(-(2**63), 2**63 - 1), max_size=5),
        "last": st.integers(-(2**63), 2**63 - 1),
    }
)


def body(record: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, SCHEMA, record)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(RECORDS, st.sampled_from([("last",), ("kind", "at"), ("note", "code", "seconds", "id")]))
def test_the_wanted_fields_read_as_written_and_the_others_are_stepped_over(
    record: dict[str, Any], wanted: tuple[str, ...]
) -> None:
    read = compile_fields_reader(SCHEMA, wanted)
    prefix = b"\xc3\x01\x00\x11\x22\x33\x44\x55\x66\x77"
    assert read(prefix + body(record), len(prefix)) == tuple(record[name] for name in wanted)


def record() -> dict[str, Any]:
    return {
        "id": "x", "flag": True, "count": 1, "at": 2, "ratio": 0.5, "seconds": 1.5,
        "blob": b"\x00", "kind": "B", "origin": {"host": "h", "pid": 3}, "code": "C",
        "note": None, "tags": ["t"], "labels": {"k": 4}, "last": 5,
    }  # fmt: skip


def test_a_truncated_body_and_trailing_bytes_are_refused() -> None:
    read = compile_fields_reader(SCHEMA, ("last",))
    data = body(record())
    assert read(data, 0) == (5,)
    for cut in (1, len(data) // 2, len(data) - 1):
        with pytest.raises(DecodeError) as truncated:
            read(data[:cut], 0)
        assert truncated.value.reason == "truncated_body"
    with pytest.raises(DecodeError) as trailing:
        read(data + b"\x00", 0)
    assert trailing.value.reason == "invalid_body"


def test_a_bad_enum_index_or_union_branch_is_refused_even_in_a_skipped_field() -> None:
    read = compile_fields_reader(SCHEMA, ("last",))
    data = bytearray(body(record()))
    # Where the enum "kind" is written: the first byte that differs when it is "A".
    other = body({**record(), "kind": "A"})
    at = next(i for i, (x, y) in enumerate(zip(data, other, strict=True)) if x != y)
    data[at] = 6  # zig-zag 3: index 3 of a 3-symbol enum
    with pytest.raises(DecodeError) as bad_enum:
        read(bytes(data), 0)
    assert bad_enum.value.reason == "invalid_body"
    data = bytearray(body(record()))
    other = body({**record(), "code": None})
    at = next(i for i, (x, y) in enumerate(zip(data, other, strict=False)) if x != y)
    data[at] = 4  # zig-zag 2: a third branch of a two-branch union
    with pytest.raises(DecodeError) as bad_union:
        read(bytes(data), 0)
    assert bad_union.value.reason == "invalid_body"


def test_a_field_the_schema_lacks_is_refused_when_compiling() -> None:
    with pytest.raises(UnsupportedSchemaError, match="no field missing"):
        compile_fields_reader(SCHEMA, ("last", "missing"))


TIMES = cast(
    "dict[str, Any]",
    parse_schema(
        {
            "type": "record",
            "name": "mediawatch.Times",
            "fields": [
                {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "micros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                {"name": "millis", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "raw", "type": "long"},
            ],
        }
    ),
)
MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@settings(max_examples=400, deadline=None)
@given(st.uuids(), MOMENTS, MOMENTS, st.integers(-(2**63), 2**63 - 1))
def test_timestamps_of_every_width_read_as_fastavro_reads_them(
    event_id: UUID, micros: datetime, millis: datetime, raw: int
) -> None:
    written = {"event_id": str(event_id), "micros": micros, "millis": millis, "raw": raw}
    out = io.BytesIO()
    schemaless_writer(out, TIMES, written)
    data = out.getvalue()

    expected = cast("dict[str, Any]", schemaless_reader(io.BytesIO(data), TIMES))
    assert compile_reader(TIMES)(data, 0) == {**expected, "event_id": str(event_id)}
    fields = compile_fields_reader(TIMES, ("millis", "event_id", "micros"))
    assert fields(data, 0) == (expected["millis"], str(event_id), expected["micros"])


def test_a_wanted_uuid_field_is_checked() -> None:
    out = io.BytesIO()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    schemaless_writer(
        out, TIMES, {"event_id": "0" * 36, "micros": moment, "millis": moment, "raw": 1}
    )

    with pytest.raises(DecodeError) as caught:
        compile_fields_reader(TIMES, ("event_id",))(out.getvalue(), 0)
    assert caught.value.reason == "invalid_body"
