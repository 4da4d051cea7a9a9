"""What the projector decodes messages into: plain records for pipeline events, typed events
for the rest.

Pipeline events are nearly all of the traffic, and the projector only copies their fields into
rows, so they stay the plain record the Avro reader gives (``event_id`` as its checked text),
next to the message itself, which ``pipeline_events`` keeps as it was read: building a
dataclass and converting it back would cost more than the read itself. Bodies written with a
pipeline event's current schema are read by a function compiled from that schema
(:mod:`~mediawatch_common.avro.compiled`, several times faster than fastavro's interpreting
reader); anything else goes through the codec. Every other event becomes its typed dataclass.
Either way a message that does not decode raises here, so the consumer loop dead-letters it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediawatch_common.avro import HEADER_SIZE, MARKER, AvroCodec, DecodeError
from mediawatch_common.avro.compiled import BodyReader, UnsupportedSchemaError, compile_reader
from mediawatch_common.events import Event, from_record

PIPELINE_EVENTS = frozenset({"TranscodeRequested", "StageStarted", "StageCompleted"})

Plain = tuple[str, dict[str, Any], bytes]
"""A pipeline event as (event name, Avro record, the message as read from Kafka)."""

Decoded = Event | Plain


def compiled_readers(codec: AvroCodec) -> dict[bytes, tuple[str, BodyReader]]:
    """Compiled readers of the pipeline events' current schemas, by fingerprint."""
    readers = {}
    for name in PIPELINE_EVENTS:
        try:
            current = codec.registry.current(name)
            readers[current.fingerprint] = (name, compile_reader(current.schema))
        except (KeyError, UnsupportedSchemaError):
            continue  # not current, or not compilable: the codec reads it
    return readers


def make_decoder(codec: AvroCodec) -> Callable[[bytes], Decoded]:
    """A decoder over ``codec`` for the projector's consumer loop or history reader."""
    fast = compiled_readers(codec)

    def decode(data: bytes) -> Decoded:
        found = fast.get(data[len(MARKER) : HEADER_SIZE]) if data[: len(MARKER)] == MARKER else None
        if found is not None:
            return found[0], found[1](data, HEADER_SIZE), data
        name, record = codec.decode(data, uuid_as_text=True)
        if name in PIPELINE_EVENTS:
            return name, record, data
        try:
            return from_record(name, record)
        except (KeyError, TypeError, ValueError) as exc:
            raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc

    return decode
