"""The typed events must mirror the .avsc contract: names, order, nullability, defaults, enums."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.events import EVENT_TYPES, AlertLevel, ErrorCode, Stage

pytestmark = pytest.mark.unit

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "avro"
HEADER_FIELDS = {"event_id", "event_time"}  # defaulted in code (fresh id, now), not in Avro


def is_optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (types.UnionType, typing.Union) and type(None) in (
        typing.get_args(hint)
    )


def nested_dataclass(hint: Any) -> Any:
    """The dataclass behind a field hint, if any (X, X | None, tuple[X, ...])."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def check_record(cls: Any, schema: dict[str, Any], names: dict[str, Any]) -> None:
    hints = typing.get_type_hints(cls)
    code_fields = dataclasses.fields(cls)
    avro_fields = schema["fields"]
    where = schema["name"]

    assert [f.name for f in code_fields] == [f["name"] for f in avro_fields], where
    for code, avro in zip(code_fields, avro_fields, strict=True):
        avro_type = avro["type"]
        if isinstance(avro_type, str):
            avro_type = names.get(avro_type, avro_type)
        nullable = isinstance(avro_type, list) and "null" in avro_type
        assert is_optional(hints[code.name]) == nullable, f"{where}.{code.name}"
        has_default = code.default is not dataclasses.MISSING or (
            code.default_factory is not dataclasses.MISSING
        )
        if code.name not in HEADER_FIELDS:
            assert has_default == ("default" in avro), f"{where}.{code.name} default"
        nested = nested_dataclass(hints[code.name])
        if nested is not None:
            items = avro_type.get("items", avro_type) if isinstance(avro_type, dict) else None
            assert isinstance(items, dict), f"{where}.{code.name} should be a record"
            check_record(nested, items, names)


def named(schema: Any, found: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema, list):
        for branch in schema:
            named(branch, found)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "enum"):
            found[schema["name"]] = schema
        for field in schema.get("fields", ()):
            named(field["type"], found)
        for key in ("items", "values"):
            if key in schema:
                named(schema[key], found)
    return found


def test_every_schema_has_a_class_and_vice_versa() -> None:
    assert set(EVENT_TYPES) == set(SchemaRegistry().names)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_dataclass_matches_schema(name: str) -> None:
    schema = SchemaRegistry().current(name).schema

    check_record(EVENT_TYPES[name], schema, named(schema, {}))


@pytest.mark.parametrize("enum", [Stage, ErrorCode, AlertLevel])
def test_enum_values_are_the_avro_symbols_in_order(enum: Any) -> None:
    avsc = json.loads((REPO_SCHEMAS / f"io.mediawatch.events.{enum.__name__}.avsc").read_text())

    assert [member.value for member in enum] == avsc["symbols"]
    assert [member.name for member in enum] == avsc["symbols"]


def test_check_record_catches_a_drifted_field() -> None:
    @dataclasses.dataclass(frozen=True)
    class Drifted:
        service: str
        host: str
        pid: int | None = None

    schema = json.loads((REPO_SCHEMAS / "io.mediawatch.events.Producer.avsc").read_text())

    with pytest.raises(AssertionError, match="pid"):
        check_record(Drifted, schema, {})
