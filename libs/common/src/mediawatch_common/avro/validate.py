"""Checks a Python datum against a parsed schema and names the first field that does not fit.

fastavro's own validator reports full type names and stops short of saying which nested
field failed; this walker reports a path such as ``inputs[0].size_bytes`` instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from mediawatch_common.avro.schema import Schema, named_types

_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


class MismatchError(ValueError):
    """The datum does not fit the schema at ``path``."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}" if path else detail)


def check_datum(datum: Any, schema: Schema, names: dict[str, dict[str, Any]] | None = None) -> None:
    """Raises :class:`MismatchError` at the first part of ``datum`` that ``schema`` cannot encode.

    Record keys not in the schema are rejected too: they would be silently dropped, which
    usually means a misspelt field name. ``names`` (:func:`named_types` of ``schema``) saves
    collecting them again when many datums are checked against one schema.
    """
    _check(datum, schema, "", named_types(schema) if names is None else names)


def _check(datum: Any, schema: Schema, path: str, names: dict[str, dict[str, Any]]) -> None:
    if isinstance(schema, str):
        if schema in names:
            _check(datum, names[schema], path, names)
        else:
            _check_primitive(datum, schema, None, path)
    elif isinstance(schema, list):
        if not any(_fits(datum, branch, names) for branch in schema):
            raise MismatchError(path, f"{_show(datum)} matches no branch of {_describe(schema)}")
    else:
        kind = schema["type"]
        if kind in ("record", "error"):
            _check_record(datum, schema, path, names)
        elif kind == "enum":
            if datum not in schema["symbols"]:
                raise MismatchError(path, f"{_show(datum)} is not a symbol of {schema['name']}")
        elif kind == "array":
            if not isinstance(datum, list | tuple):
                raise MismatchError(path, f"expected a list, got {_show(datum)}")
            for i, item in enumerate(datum):
                _check(item, schema["items"], f"{path}[{i}]", names)
        elif kind == "map":
            _check_map(datum, schema, path, names)
        elif kind == "fixed":
            if not isinstance(datum, bytes) or len(datum) != schema["size"]:
                raise MismatchError(path, f"expected {schema['size']} bytes, got {_show(datum)}")
        else:
            _check_primitive(datum, kind, schema.get("logicalType"), path)


def _check_record(
    datum: Any, schema: dict[str, Any], path: str, names: dict[str, dict[str, Any]]
) -> None:
    if not isinstance(datum, Mapping):
        raise MismatchError(path, f"expected a record ({schema['name']}), got {_show(datum)}")
    declared = {field["name"] for field in schema["fields"]}
    for key in datum:
        if key not in declared:
            raise MismatchError(_join(path, str(key)), f"not a field of {schema['name']}")
    for field in schema["fields"]:
        name = field["name"]
        if name in datum:
            _check(datum[name], field["type"], _join(path, name), names)
        elif "default" not in field:
            raise MismatchError(_join(path, name), "missing, and the field has no default")


def _check_map(
    datum: Any, schema: dict[str, Any], path: str, names: dict[str, dict[str, Any]]
) -> None:
    if not isinstance(datum, Mapping):
        raise MismatchError(path, f"expected a mapping, got {_show(datum)}")
    for key, value in datum.items():
        if not isinstance(key, str):
            raise MismatchError(path, f"map key {key!r} is not a string")
        _check(value, schema["values"], f"{path}[{key!r}]", names)


def _check_primitive(datum: Any, kind: str, logical: str | None, path: str) -> None:
    if not _primitive_fits(datum, kind, logical):
        shown = f"{kind} ({logical})" if logical else kind
        raise MismatchError(path, f"expected {shown}, got {_show(datum)}")


def _primitive_fits(datum: Any, kind: str, logical: str | None) -> bool:
    if logical == "uuid":
        return isinstance(datum, uuid.UUID) or (isinstance(datum, str) and _is_uuid(datum))
    if logical in ("timestamp-micros", "timestamp-millis") and isinstance(datum, dt.datetime):
        return datum.tzinfo is not None
    if kind == "null":
        return datum is None
    if kind == "boolean":
        return isinstance(datum, bool)
    if kind in _INT_RANGE:
        low, high = _INT_RANGE[kind]
        return isinstance(datum, int) and not isinstance(datum, bool) and low <= datum <= high
    if kind in ("float", "double"):
        return isinstance(datum, int | float) and not isinstance(datum, bool)
    if kind == "string":
        return isinstance(datum, str)
    if kind == "bytes":
        return isinstance(datum, bytes)
    return True  # unknown primitive: leave it to the writer


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _fits(datum: Any, schema: Schema, names: dict[str, dict[str, Any]]) -> bool:
    try:
        _check(datum, schema, "", names)
    except MismatchError:
        return False
    return True


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(datum: Any) -> str:
    text = repr(datum)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(datum).__name__})"


def _describe(schema: Schema) -> str:
    if isinstance(schema, list):
        return "[" + ", ".join(_describe(branch) for branch in schema) + "]"
    if isinstance(schema, dict):
        return str(schema.get("name", schema["type"]))
    return schema
