"""Schema helpers: loading ``.avsc`` files, canonical form, fingerprints, named types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form

from mediawatch_common.avro.errors import SchemaError

Schema = str | list[Any] | dict[str, Any]
"""An Avro schema as JSON data: a type name, a union list or a complex-type object."""

NAMED_TYPES = frozenset({"record", "error", "enum", "fixed"})


def load_file(path: Path) -> dict[str, Any]:
    """Parses one ``<full name>.avsc`` file, resolving named types from sibling files.

    Args:
        path: The schema file. Referenced types must live next to it, in files named
            after their full name (fastavro's flat-directory convention).

    Returns:
        The fastavro-parsed schema, with referenced types inlined at first use.

    Raises:
        SchemaError: The file or a referenced file is missing or is not a valid schema.
    """
    try:
        schema = load_schema(str(path))
    except Exception as exc:  # fastavro raises several unrelated types here
        raise SchemaError(f"cannot load {path}: {exc}") from exc
    if not isinstance(schema, dict):
        raise SchemaError(f"{path} is not a named schema")
    return schema


def canonical_form(schema: Schema) -> str:
    """Returns the Parsing Canonical Form of ``schema`` (Avro spec, "Schema Fingerprints")."""
    return to_parsing_canonical_form(schema)


def fingerprint64(schema: Schema) -> bytes:
    """Returns the CRC-64-AVRO (Rabin) fingerprint of the schema's canonical form.

    The 8 bytes are little-endian, as the single-object encoding header carries them.
    """
    return bytes.fromhex(fingerprint(canonical_form(schema), "CRC-64-AVRO"))


def named_types(schema: Schema) -> dict[str, dict[str, Any]]:
    """Maps the full name of every named type defined inside a parsed schema to its definition.

    Needed to follow by-name references, which fastavro keeps as plain strings after the
    first definition of a type.
    """
    found: dict[str, dict[str, Any]] = {}
    _collect(schema, found)
    return found


def _collect(schema: Schema, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _collect(branch, found)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in NAMED_TYPES:
            found[schema["name"]] = schema
        for field in schema.get("fields", ()):
            _collect(field["type"], found)
        for key in ("items", "values"):
            if key in schema:
                _collect(schema[key], found)


def short_name(full_name: str) -> str:
    """Returns the last component of a dotted Avro full name."""
    return full_name.rsplit(".", 1)[-1]
