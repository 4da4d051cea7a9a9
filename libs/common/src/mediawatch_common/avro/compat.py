"""Whether a reader schema can read a writer's data: the Avro specification's resolution rules.

Kept rather than Apache ``avro``'s checker, which refuses a reader's record alias and cannot
pair its problems with their fields (see ``docs/design-notes/common.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastavro.schema import parse_schema

from mediawatch_common.avro.schema import NAMED_TYPES, Schema, named_types, short_name

Mode = Literal["backward", "forward", "full"]

PROMOTIONS = frozenset(
    {
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    }
)
"""(writer type, reader type) pairs the specification allows to differ."""


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """One reason a reader cannot read a writer's data.

    Attributes:
        path: Where, e.g. ``StageCompleted.error_code``.
        message: What is wrong, e.g. ``field added without a default``.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def can_read(reader: Schema, writer: Schema) -> list[Incompatibility]:
    """Lists why data written with ``writer`` cannot be read with ``reader`` (empty if it can).

    Both schemas may be JSON data or fastavro-parsed schemas; JSON must be self-contained.
    """
    parsed_reader, parsed_writer = parse_schema(reader), parse_schema(writer)
    checker = _Checker(named_types(parsed_reader), named_types(parsed_writer))
    checker.resolve(parsed_reader, parsed_writer, _describe(parsed_reader))
    return checker.problems


def check_compatibility(new: Schema, old: Schema, mode: Mode = "full") -> list[Incompatibility]:
    """Checks a new schema version against an old one.

    Args:
        new: The changed schema.
        old: The released schema it replaces.
        mode: ``backward``: the new schema reads old data; ``forward``: the old schema
            reads new data; ``full``: both.

    Returns:
        The problems found, each message prefixed by the direction that fails.
    """
    problems = []
    if mode in ("backward", "full"):
        problems += [_prefixed(p, "new reader, old data") for p in can_read(new, old)]
    if mode in ("forward", "full"):
        problems += [_prefixed(p, "old reader, new data") for p in can_read(old, new)]
    return problems


def _prefixed(problem: Incompatibility, direction: str) -> Incompatibility:
    return Incompatibility(problem.path, f"{direction}: {problem.message}")


class _Checker:
    def __init__(
        self, reader_names: dict[str, dict[str, Any]], writer_names: dict[str, dict[str, Any]]
    ) -> None:
        self._reader_names = reader_names
        self._writer_names = writer_names
        self._in_progress: set[tuple[str, str]] = set()
        self.problems: list[Incompatibility] = []

    def resolve(self, reader: Schema, writer: Schema, path: str) -> None:
        reader = _deref(reader, self._reader_names)
        writer = _deref(writer, self._writer_names)
        if isinstance(writer, list):
            for branch in writer:
                self.resolve(reader, branch, path)
            return
        if isinstance(reader, list):
            branch = next((b for b in reader if self._matches(b, writer)), None)
            if branch is None:
                self._fail(path, f"{_describe(writer)} matches no branch of {_describe(reader)}")
            else:
                self.resolve(branch, writer, path)
            return
        if not self._matches(reader, writer):
            self._fail(path, f"type changed from {_describe(writer)} to {_describe(reader)}")
            return
        self._resolve_same_kind(reader, writer, path)

    def _resolve_same_kind(self, reader: Schema, writer: Schema, path: str) -> None:
        if not (isinstance(reader, dict) and isinstance(writer, dict)):
            return  # primitives that matched need nothing more
        kind = _type(reader)
        if kind == "record":
            self._record(reader, writer, path)
        elif kind == "enum":
            self._enum(reader, writer, path)
        elif kind == "fixed" and reader["size"] != writer["size"]:
            self._fail(path, f"fixed size changed from {writer['size']} to {reader['size']}")
        elif kind == "array":
            self.resolve(reader["items"], writer["items"], f"{path}[]")
        elif kind == "map":
            self.resolve(reader["values"], writer["values"], f"{path}{{}}")

    def _record(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        key = (reader["name"], writer["name"])
        if key in self._in_progress:
            return  # recursive type already being checked
        self._in_progress.add(key)
        writer_fields = {f["name"]: f for f in writer["fields"]}
        for field in reader["fields"]:
            names = [field["name"], *field.get("aliases", ())]
            match = next((writer_fields[n] for n in names if n in writer_fields), None)
            field_path = f"{path}.{field['name']}"
            if match is not None:
                self.resolve(field["type"], match["type"], field_path)
            elif "default" not in field:
                self._fail(field_path, "field is missing from the writer and has no default")
        self._in_progress.discard(key)

    def _enum(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing and "default" not in reader:
            self._fail(path, f"symbols {missing} unknown to the reader, which has no default")

    def _matches(self, reader: Schema, writer: Schema) -> bool:
        reader = _deref(reader, self._reader_names)
        writer = _deref(writer, self._writer_names)
        if isinstance(reader, list) or isinstance(writer, list):
            return isinstance(reader, list) and isinstance(writer, list)
        kind_r, kind_w = _type(reader), _type(writer)
        if kind_r in NAMED_TYPES and isinstance(reader, dict) and isinstance(writer, dict):
            return kind_r == kind_w and _names_match(reader, writer)
        return kind_r == kind_w or (kind_w, kind_r) in PROMOTIONS

    def _fail(self, path: str, message: str) -> None:
        self.problems.append(Incompatibility(path, message))


def _deref(schema: Schema, names: dict[str, dict[str, Any]]) -> Schema:
    return names[schema] if isinstance(schema, str) and schema in names else schema


def _type(schema: Schema) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, list):
        return "union"
    kind = str(schema["type"])
    return "record" if kind == "error" else kind


def _names_match(reader: dict[str, Any], writer: dict[str, Any]) -> bool:
    accepted = {short_name(n) for n in (reader["name"], *reader.get("aliases", ()))}
    return short_name(writer["name"]) in accepted


def _describe(schema: Schema) -> str:
    if isinstance(schema, list):
        return "[" + ", ".join(_describe(branch) for branch in schema) + "]"
    if isinstance(schema, dict):
        return short_name(str(schema["name"])) if "name" in schema else _type(schema)
    return short_name(schema)
