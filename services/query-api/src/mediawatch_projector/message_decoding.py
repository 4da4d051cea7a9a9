"""What the projector decodes messages into: plain records for pipeline events, typed events
for the rest.

Pipeline events are nearly all of the traffic, and the projector only copies some of their
fields into rows, so they become a tuple of those fields (``event_id`` as its checked text),
next to the message itself, which ``pipeline_events`` keeps as it was read: building a
dataclass and converting it back would cost more than the read itself. Bodies written with a
pipeline event's current schema are read by a function compiled from that schema
(:mod:`~mediawatch_common.avro.compiled`, several times faster than fastavro's interpreting
reader), which steps over the fields no row needs (the producer) while still checking the
whole body; anything else goes through the codec. Every other event becomes its typed dataclass.
Either way a message that does not decode raises here, so the consumer loop dead-letters it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediawatch_common.avro import HEADER_SIZE, MARKER, AvroCodec, DecodeError
from mediawatch_common.avro.compiled import (
    FieldsReader,
    UnsupportedSchemaError,
    compile_fields_reader,
)
from mediawatch_common.events import Event, from_record

PIPELINE_FIELDS: dict[str, tuple[str, ...]] = {
    "TranscodeRequested": ("event_id", "event_time", "session_id", "user_id", "inputs"),
    "StageStarted": (
        "event_id", "event_time", "session_id", "user_id", "stage", "attempt", "video_count",
    ),
    "StageCompleted": (
        "event_id", "event_time", "session_id", "user_id", "stage", "attempt", "started_at",
        "success", "duration_seconds", "error_code", "error_message", "input_size_bytes",
        "output_size_bytes", "video_count", "peak_memory_mb", "cpu_percent",
    ),
}  # fmt: skip
"""The fields of each pipeline event that its rows need, in the order :data:`Plain` gives
them (``pipeline_events`` keeps the whole message)."""

PIPELINE_EVENTS = frozenset(PIPELINE_FIELDS)

Plain = tuple[str, tuple[Any, ...], bytes]
"""A pipeline event as (event name, its :data:`PIPELINE_FIELDS` values, the message as read
from Kafka)."""

Decoded = Event | Plain


def plain_values(name: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """The :data:`PIPELINE_FIELDS` values of a pipeline event's whole record."""
    return tuple(record[field] for field in PIPELINE_FIELDS[name])


def compiled_readers(codec: AvroCodec) -> dict[bytes, tuple[str, FieldsReader]]:
    """Compiled readers of the pipeline events' current schemas, by fingerprint: each reads
    the event's :data:`PIPELINE_FIELDS` and steps over the others."""
    readers = {}
    for name, fields in PIPELINE_FIELDS.items():
        try:
            current = codec.registry.current(name)
            readers[current.fingerprint] = (name, compile_fields_reader(current.schema, fields))
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
            return name, plain_values(name, record), data
        try:
            return from_record(name, record)
        except (KeyError, TypeError, ValueError) as exc:
            raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc

    return decode
