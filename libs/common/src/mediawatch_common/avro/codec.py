"""Encodes and decodes event records as Avro single-object encoded bytes."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastavro import parse_schema, schemaless_reader, schemaless_writer

from mediawatch_common.avro.errors import DecodeError, EncodeError
from mediawatch_common.avro.framing import frame, unframe
from mediawatch_common.avro.registry import RegisteredSchema, SchemaRegistry
from mediawatch_common.avro.validate import MismatchError, check_datum


class AvroCodec:
    """Turns event records into bytes and back, using the schemas of a :class:`SchemaRegistry`.

    Records are written with the current schema of their event. On decode, the writer
    schema is looked up by the fingerprint in the header and resolved against the current
    schema of the same event, so data written by an older release is read in today's shape.
    """

    def __init__(self, registry: SchemaRegistry) -> None:
        """Creates a codec.

        Args:
            registry: Source of writer and reader schemas.
        """
        self._registry = registry
        self._plans: dict[tuple[bytes, bool], _ReadPlan] = {}

    @property
    def registry(self) -> SchemaRegistry:
        """The registry this codec reads schemas from."""
        return self._registry

    def encode(self, name: str, record: Mapping[str, Any], *, check: bool = True) -> bytes:
        """Encodes one record with the current schema of event ``name``.

        Args:
            name: Short event name, e.g. ``StageCompleted``.
            record: Field values; timestamps as timezone-aware datetimes, uuids as
                :class:`uuid.UUID` or strings, enums as symbol strings.
            check: Walk the record against the schema before writing. Without it, records
                the writer rejects are still reported field by field, but values the writer
                accepts silently (a naive datetime, an ``int`` out of 32-bit range) pass:
                for callers that guarantee those, such as typed events.

        Returns:
            The single-object encoding: ``C3 01``, fingerprint, Avro binary body.

        Raises:
            EncodeError: ``name`` is not a current event, or the record does not match its
                schema (the error names the field).
        """
        try:
            target = self._registry.current(name)
        except KeyError:
            raise EncodeError(name, None, "no current schema for this event") from None
        if check:
            _check(name, record, target)
        buffer = io.BytesIO()
        try:
            schemaless_writer(buffer, target.schema, record, strict_allow_default=True)
        except (ValueError, TypeError, AttributeError, OverflowError, KeyError) as exc:
            _check(name, record, target)  # names the field when it can
            raise EncodeError(name, None, str(exc)) from exc
        return frame(target.fingerprint, buffer.getvalue())

    def decode(self, data: bytes, *, uuid_as_text: bool = False) -> tuple[str, dict[str, Any]]:
        """Decodes single-object encoded bytes into (event name, record).

        Args:
            data: The encoded event.
            uuid_as_text: Return the record's top-level ``uuid`` fields (``event_id``) as
                their canonical text instead of :class:`uuid.UUID`. The text is still
                checked; skipping fastavro's logical-type conversion roughly halves the
                cost of a read, for consumers that only store or forward the id.

        Raises:
            DecodeError: With reason ``too_short``, ``bad_marker``, ``unknown_fingerprint``,
                ``truncated_body`` or ``invalid_body``.
        """
        fingerprint, body = unframe(data)
        plan = self._plans.get((fingerprint, uuid_as_text)) or self._plan(fingerprint, uuid_as_text)
        record = _read_body(body, plan.name, plan.writer, plan.reader)
        for field in plan.uuid_fields:
            record[field] = _uuid_text(plan.name, field, record[field])
        return plan.name, record

    def _plan(self, fingerprint: bytes, uuid_as_text: bool) -> _ReadPlan:
        """Works out (once per writer schema) which schemas a body is read with."""
        writer = self._registry.by_fingerprint(fingerprint)
        if writer is None:
            raise DecodeError("unknown_fingerprint", fingerprint.hex())
        reader = self._reader_for(writer)
        if uuid_as_text:
            fields = _uuid_fields(reader.schema if reader else writer.schema)
            plan = _ReadPlan(
                writer.name,
                _without_uuid(writer.schema, fields),
                _without_uuid(reader.schema, fields) if reader else None,
                fields,
            )
        else:
            plan = _ReadPlan(writer.name, writer.schema, reader.schema if reader else None, ())
        self._plans[(fingerprint, uuid_as_text)] = plan
        return plan

    def _reader_for(self, writer: RegisteredSchema) -> RegisteredSchema | None:
        try:
            reader = self._registry.current(writer.name)
        except KeyError:
            return None  # event no longer current: read it as written
        return None if reader.fingerprint == writer.fingerprint else reader


@dataclass(frozen=True, slots=True)
class _ReadPlan:
    """How bodies of one writer schema are read: schemas and the uuid fields kept as text."""

    name: str
    writer: dict[str, Any]
    reader: dict[str, Any] | None
    uuid_fields: tuple[str, ...]


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _is_uuid(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("logicalType") == "uuid"


def _uuid_fields(schema: dict[str, Any]) -> tuple[str, ...]:
    """Top-level fields of a record schema that are (non-optional) uuid strings."""
    return tuple(f["name"] for f in schema.get("fields", ()) if _is_uuid(f["type"]))


def _without_uuid(schema: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A parsed copy of ``schema`` whose top-level ``fields`` are plain strings."""
    plain = {k: v for k, v in schema.items() if not k.startswith("__")}
    plain["fields"] = [
        {**f, "type": "string"} if f["name"] in fields and _is_uuid(f["type"]) else f
        for f in schema["fields"]
    ]
    parsed = parse_schema(plain, named_schemas={})
    assert isinstance(parsed, dict)  # a record schema parses to a record
    return parsed


def _uuid_text(name: str, field: str, value: Any) -> str:
    """The canonical text of a uuid field, checked as fastavro's conversion would."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise DecodeError("invalid_body", f"{name}: {field} is not a uuid") from exc


def _check(name: str, record: Mapping[str, Any], target: RegisteredSchema) -> None:
    try:
        check_datum(record, target.schema)
    except MismatchError as exc:
        raise EncodeError(name, exc.path or None, exc.detail) from None


def _read_body(
    body: bytes, name: str, writer: dict[str, Any], reader: dict[str, Any] | None
) -> dict[str, Any]:
    stream = io.BytesIO(body)
    try:
        record = schemaless_reader(stream, writer, reader)
    except Exception as exc:  # fastavro raises many types on bad input
        # Running out of input shows up as EOFError, or as IndexError in the C reader.
        at_end = stream.tell() >= len(body)
        if isinstance(exc, EOFError) or (isinstance(exc, IndexError) and at_end):
            raise DecodeError("truncated_body", f"{name}: {len(body)} body bytes") from exc
        raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc
    if stream.tell() != len(body):
        raise DecodeError("invalid_body", f"{name}: {len(body) - stream.tell()} trailing bytes")
    if not isinstance(record, dict):
        raise DecodeError("invalid_body", f"{name}: decoded to {type(record).__name__}")
    return record
