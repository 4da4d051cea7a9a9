"""Canonical form and CRC-64-AVRO fingerprints against the Avro project's test vectors.

Vectors from apache/avro ``share/test/data/schema-tests.txt``: the fingerprint there is the
64-bit value as a signed Java long; the single-object header carries it little-endian.
"""

from __future__ import annotations

import json

import pytest

from mediawatch_common.avro import DecodeError, canonical_form, fingerprint64, frame, unframe

pytestmark = pytest.mark.unit

SPEC_VECTORS = [
    ('"null"', '"null"', 7195948357588979594),
    ('"boolean"', '"boolean"', -6970731678124411036),
    ('"int"', '"int"', 8247732601305521295),
    ('"long"', '"long"', -3434872931120570953),
    ('"string"', '"string"', -8142146995180207161),
    (
        '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
        '{"name":"x.y.foo","type":"record","fields":[]}',
        5916914534497305771,
    ),
    (
        '{"fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true},'
        ' {"order":"descending","name":"f2","doc":"Hello","type":"int"}],'
        ' "type":"record", "name":"foo"}',
        '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},'
        '{"name":"f2","type":"int"}]}',
        -4860222112080293046,
    ),
    (
        '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar",'
        ' "symbols":["A1", "A2"]}',
        '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
        -4448647247586288245,
    ),
    (
        '{"name":"PigValue","type":"record",'
        ' "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
        '{"name":"PigValue","type":"record","fields":[{"name":"value",'
        '"type":["null","int","long","PigValue"]}]}',
        -1759257747318642341,
    ),
]


@pytest.mark.parametrize(("schema", "canonical", "expected"), SPEC_VECTORS)
def test_canonical_form_and_fingerprint_match_the_spec(
    schema: str, canonical: str, expected: int
) -> None:
    parsed = json.loads(schema)

    assert canonical_form(parsed) == canonical
    assert fingerprint64(parsed) == expected.to_bytes(8, "little", signed=True)


def test_int_fingerprint_bytes_are_little_endian() -> None:
    # 8247732601305521295 == 0x7275D51A3F395C8F; least significant byte first.
    assert fingerprint64("int").hex() == "8f5c393f1ad57572"


def test_canonical_form_strips_docs_defaults_and_logical_types() -> None:
    schema = {
        "type": "record",
        "name": "R",
        "namespace": "n",
        "doc": "d",
        "fields": [
            {"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "o", "type": ["null", "int"], "default": None, "doc": "x"},
        ],
    }

    assert canonical_form(schema) == (
        '{"name":"n.R","type":"record","fields":[{"name":"t","type":"long"},'
        '{"name":"o","type":["null","int"]}]}'
    )


def test_frame_and_unframe_round_trip() -> None:
    fingerprint = fingerprint64("int")

    data = frame(fingerprint, b"\x02")

    assert data == b"\xc3\x01" + fingerprint + b"\x02"
    assert unframe(data) == (fingerprint, b"\x02")


def test_frame_rejects_a_short_fingerprint() -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        frame(b"\x01\x02", b"")


@pytest.mark.parametrize("data", [b"", b"\xc3", b"\xc3\x01" + b"\x00" * 7])
def test_unframe_too_short(data: bytes) -> None:
    with pytest.raises(DecodeError) as caught:
        unframe(data)

    assert caught.value.reason == "too_short"


def test_unframe_bad_marker() -> None:
    with pytest.raises(DecodeError) as caught:
        unframe(b"\xc3\x02" + b"\x00" * 9)

    assert caught.value.reason == "bad_marker"
    assert "c302" in str(caught.value)
