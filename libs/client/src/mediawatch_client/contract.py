"""The event contract shipped with the client: ``.avsc`` files and single-object encoding."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema, schemaless_writer
from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
NAMESPACE = "io.mediawatch.events"
MARKER = b"\xc3\x01"


@dataclass(frozen=True, slots=True)
class EventSchema:
    """One event's writer schema and the header that announces it."""

    name: str
    parsed: Any
    header: bytes

    def encode(self, record: dict[str, Any]) -> bytes:
        """``record`` in Avro single-object encoding: marker, fingerprint, binary body."""
        out = io.BytesIO()
        out.write(self.header)
        schemaless_writer(out, self.parsed, record)
        return out.getvalue()


@cache
def event_schema(name: str, schema_dir: Path = SCHEMA_DIR) -> EventSchema:
    """The current schema of event ``name`` (e.g. ``StageCompleted``) from ``schema_dir``.

    Raises:
        FileNotFoundError: The client was installed without its schemas.
    """
    path = schema_dir / f"{NAMESPACE}.{name}.avsc"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall mediawatch-client")
    schema = load_schema(str(path))
    canonical = to_parsing_canonical_form(schema)
    header = MARKER + bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))
    return EventSchema(name, parse_schema(schema), header)


@cache
def enum_symbols(name: str, schema_dir: Path = SCHEMA_DIR) -> tuple[str, ...]:
    """The symbols of the shared enum ``name`` (``Stage``, ``ErrorCode``)."""
    schema = load_schema(str(schema_dir / f"{NAMESPACE}.{name}.avsc"))
    if not isinstance(schema, dict) or schema.get("type") != "enum":
        raise ValueError(f"{name} is not an enum schema")
    return tuple(schema["symbols"])
