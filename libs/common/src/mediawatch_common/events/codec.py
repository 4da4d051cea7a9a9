"""Encoding typed events to Avro single-object bytes and back."""

from __future__ import annotations

import functools

from mediawatch_common.avro import AvroCodec, DecodeError, SchemaRegistry
from mediawatch_common.events.convert import event_name, from_record, to_record
from mediawatch_common.events.models import Event


@functools.cache
def default_codec() -> AvroCodec:
    """Returns a codec over the schemas found by walking up from this package.

    For scripts and tests; services build their codec from the configured schema directory
    and pass it in.
    """
    return AvroCodec(SchemaRegistry())


def encode_event(event: Event, codec: AvroCodec | None = None) -> bytes:
    """Encodes an event with the current schema of its type.

    Args:
        event: The event.
        codec: Codec to use; :func:`default_codec` if omitted.

    Raises:
        EncodeError: A field value does not fit the schema (e.g. a naive datetime).
    """
    # The dataclass conversion refuses naive datetimes; the writer catches wrong types.
    return (codec or default_codec()).encode(event_name(event), to_record(event), check=False)


def decode_event(data: bytes, codec: AvroCodec | None = None) -> Event:
    """Decodes single-object encoded bytes into a typed event.

    Args:
        data: The encoded event.
        codec: Codec to use; :func:`default_codec` if omitted.

    Raises:
        DecodeError: The bytes are not a valid encoding of a known event.
    """
    name, record = (codec or default_codec()).decode(data)
    try:
        return from_record(name, record)
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc
