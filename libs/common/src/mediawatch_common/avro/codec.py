"""Encodes and decodes event records as Avro single-object encoded bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

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

    def decode(self, data: bytes) -> tuple[str, dict[str, Any]]:
        """Decodes single-object encoded bytes into (event name, record).

        Raises:
            DecodeError: With reason ``too_short``, ``bad_marker``, ``unknown_fingerprint``,
                ``truncated_body`` or ``invalid_body``.
        """
        fingerprint, body = unframe(data)
        writer = self._registry.by_fingerprint(fingerprint)
        if writer is None:
            raise DecodeError("unknown_fingerprint", fingerprint.hex())
        return writer.name, _read_body(body, writer, self._reader_for(writer))

    def _reader_for(self, writer: RegisteredSchema) -> RegisteredSchema | None:
        try:
            reader = self._registry.current(writer.name)
        except KeyError:
            return None  # event no longer current: read it as written
        return None if reader.fingerprint == writer.fingerprint else reader


def _check(name: str, record: Mapping[str, Any], target: RegisteredSchema) -> None:
    try:
        check_datum(record, target.schema)
    except MismatchError as exc:
        raise EncodeError(name, exc.path or None, exc.detail) from None


def _read_body(
    body: bytes, writer: RegisteredSchema, reader: RegisteredSchema | None
) -> dict[str, Any]:
    stream = io.BytesIO(body)
    try:
        record = schemaless_reader(stream, writer.schema, reader.schema if reader else None)
    except Exception as exc:  # fastavro raises many types on bad input
        # Running out of input shows up as EOFError, or as IndexError in the C reader.
        at_end = stream.tell() >= len(body)
        if isinstance(exc, EOFError) or (isinstance(exc, IndexError) and at_end):
            raise DecodeError("truncated_body", f"{writer.name}: {len(body)} body bytes") from exc
        raise DecodeError("invalid_body", f"{writer.name}: {type(exc).__name__}: {exc}") from exc
    if stream.tell() != len(body):
        raise DecodeError(
            "invalid_body", f"{writer.name}: {len(body) - stream.tell()} trailing bytes"
        )
    if not isinstance(record, dict):
        raise DecodeError("invalid_body", f"{writer.name}: decoded to {type(record).__name__}")
    return record
