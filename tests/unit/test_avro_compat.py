"""The compatibility checker, and the current schemas against their released copies."""

from __future__ import annotations

import json
from typing import Any

import avro.schema
import pytest
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from mediawatch_common.avro import SchemaRegistry, can_read, check_compatibility

pytestmark = pytest.mark.unit


def record(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "t", "fields": list(fields)}


def enum(*symbols: str, default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "enum", "name": "E", "symbols": list(symbols)}
    if default is not None:
        schema["default"] = default
    return schema


A = {"name": "a", "type": "string"}


def test_identical_schemas_are_fully_compatible() -> None:
    assert check_compatibility(record(A), record(A)) == []


def test_field_added_with_default_is_fully_compatible() -> None:
    new = record(A, {"name": "b", "type": ["null", "long"], "default": None})

    assert check_compatibility(new, record(A)) == []


def test_field_added_without_default_breaks_backward() -> None:
    new = record(A, {"name": "b", "type": "long"})

    problems = check_compatibility(new, record(A))

    assert [(p.path, p.message.split(":")[0]) for p in problems] == [
        ("R.b", "new reader, old data")
    ]
    assert "no default" in problems[0].message
    assert check_compatibility(new, record(A), "forward") == []


def test_field_removed_breaks_forward_only_when_old_reader_has_no_default() -> None:
    old = record(A, {"name": "b", "type": "long"})
    old_with_default = record(A, {"name": "b", "type": "long", "default": 0})

    assert check_compatibility(record(A), old, "backward") == []
    assert [p.path for p in check_compatibility(record(A), old, "forward")] == ["R.b"]
    assert check_compatibility(record(A), old_with_default) == []


def test_enum_symbol_removed_without_default_breaks_backward() -> None:
    old = record({"name": "e", "type": enum("X", "Y")})
    new = record({"name": "e", "type": enum("X")})

    problems = check_compatibility(new, old, "backward")

    assert len(problems) == 1
    assert problems[0].path == "R.e"
    assert "['Y']" in problems[0].message


def test_enum_default_absorbs_unknown_symbols() -> None:
    old = record({"name": "e", "type": enum("X", "UNKNOWN", default="UNKNOWN")})
    new = record({"name": "e", "type": enum("X", "Z", "UNKNOWN", default="UNKNOWN")})

    assert check_compatibility(new, old) == []


def test_enum_symbol_added_without_default_breaks_forward() -> None:
    old = record({"name": "e", "type": enum("X")})
    new = record({"name": "e", "type": enum("X", "Z")})

    assert check_compatibility(new, old, "backward") == []
    assert len(check_compatibility(new, old, "forward")) == 1


def test_type_change_breaks_both_directions() -> None:
    old = record({"name": "a", "type": "string"})
    new = record({"name": "a", "type": "int"})

    problems = check_compatibility(new, old)

    assert len(problems) == 2
    assert all(p.path == "R.a" and "type changed" in p.message for p in problems)


@pytest.mark.parametrize(
    ("writer", "reader"),
    [
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    ],
)
def test_promotions_are_readable(writer: str, reader: str) -> None:
    assert can_read(reader, writer) == []


@pytest.mark.parametrize(
    ("writer", "reader"), [("long", "int"), ("double", "float"), ("double", "long")]
)
def test_narrowing_is_not_readable(writer: str, reader: str) -> None:
    assert len(can_read(reader, writer)) == 1


def test_making_a_field_nullable_is_backward_but_not_forward_compatible() -> None:
    old = record({"name": "x", "type": "double"})
    new = record({"name": "x", "type": ["null", "double"], "default": None})

    assert check_compatibility(new, old, "backward") == []
    assert len(check_compatibility(new, old, "forward")) == 1


def test_union_branch_removed_breaks_backward() -> None:
    old = record({"name": "x", "type": ["null", "string", "long"]})
    new = record({"name": "x", "type": ["null", "string"]})

    problems = check_compatibility(new, old, "backward")

    assert len(problems) == 1
    assert "long" in problems[0].message


def test_changes_are_found_inside_arrays_and_maps() -> None:
    item_old = record({"name": "n", "type": "int"}, name="Item")
    item_new = record({"name": "n", "type": "int"}, {"name": "m", "type": "int"}, name="Item")
    old = record(
        {"name": "items", "type": {"type": "array", "items": item_old}},
        {"name": "counts", "type": {"type": "map", "values": "long"}},
    )
    new = record(
        {"name": "items", "type": {"type": "array", "items": item_new}},
        {"name": "counts", "type": {"type": "map", "values": "int"}},
    )

    paths = sorted(p.path for p in check_compatibility(new, old, "backward"))

    assert paths == ["R.counts{}", "R.items[].m"]


def test_renamed_record_needs_an_alias() -> None:
    renamed = record(A, name="S")
    aliased = {**record(A, name="S"), "aliases": ["R"]}

    assert len(can_read(renamed, record(A))) == 1
    assert can_read(aliased, record(A)) == []


def test_apache_avro_refuses_a_reader_alias_so_we_keep_our_checker() -> None:
    """Why ``avro/compat.py`` is not Apache ``avro``'s ``ReaderWriterCompatibilityChecker``.

    The specification lets a reader's record alias match the writer's record name (a rename
    done right). ``avro`` 1.12.2 ignores the alias and reports ``name_mismatch``, so it would
    refuse a compatible change. It also reports a named type's problem once however many
    fields use the type, and gives its messages and locations as two unordered sets, which
    cannot be paired into "field: problem" lines. When this test fails, the alias case is
    fixed upstream: reconsider switching.
    """
    aliased = {**record(A, name="S"), "aliases": ["R"]}
    upstream = ReaderWriterCompatibilityChecker().get_compatibility(
        avro.schema.parse(json.dumps(aliased)), avro.schema.parse(json.dumps(record(A)))
    )

    assert upstream.compatibility is SchemaCompatibilityType.incompatible
    assert can_read(aliased, record(A)) == []


def test_fixed_size_change_is_incompatible() -> None:
    def fixed(size: int) -> dict[str, Any]:
        return {"type": "fixed", "name": "F", "size": size}

    assert can_read(fixed(16), fixed(16)) == []
    assert len(can_read(fixed(16), fixed(8))) == 1


def test_recursive_schemas_terminate() -> None:
    node = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "next", "type": ["null", "Node"], "default": None}],
    }

    assert check_compatibility(node, node) == []


def test_named_type_references_are_followed() -> None:
    stage = {"type": "enum", "name": "Stage", "symbols": ["A", "B"]}
    old = record({"name": "s1", "type": stage}, {"name": "s2", "type": "t.Stage"})
    new_stage = {"type": "enum", "name": "Stage", "symbols": ["A"]}
    new = record({"name": "s1", "type": new_stage}, {"name": "s2", "type": "t.Stage"})

    paths = [p.path for p in check_compatibility(new, old, "backward")]

    assert paths == ["R.s1", "R.s2"]


def test_current_schemas_are_fully_compatible_with_every_release() -> None:
    registry = SchemaRegistry()
    pairs = [
        (registry.current(name), released)
        for name in registry.names
        for released in registry.versions(name)
        if released.version != "current"
    ]

    assert len(pairs) >= len(registry.names)  # every event has at least the v1 release
    for current, released in pairs:
        problems = check_compatibility(current.schema, released.schema, "full")
        assert problems == [], f"{current.name} vs {released.version}: {problems}"
