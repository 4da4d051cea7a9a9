"""What the projector decodes messages into: for pipeline events (nearly all the traffic) a
tuple of the fields their rows need next to the message as read; every other event its typed
dataclass. Current pipeline schemas are read by compiled readers, the rest by the codec; a
message that does not decode raises, so the consumer loop dead-letters it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluent_kafka import Message

from mediawatch_common.avro import HEADER_SIZE, MARKER, AvroCodec, DecodeError
from mediawatch_common.avro.compiled import (
    FieldsReader,
    UnsupportedSchemaError,
    compile_fields_reader,
)
from mediawatch_common.deadletters import DeadLetter, from_message
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

Decoded = Event | Plain | DeadLetter
"""What the projector reads a message as; dead letters as read from the dead-letter topic."""


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


def read_deadletter(decode: Callable[[bytes], Decoded]) -> Callable[[Message], Decoded]:
    """A reader of the dead-letter topic: dead letters as read (their headers say where they
    came from and why), its other messages (``DeadLetterRedriven``) decoded."""

    def read(msg: Message) -> Decoded:
        letter = from_message(msg)
        return letter if letter is not None else decode(msg.value() or b"")

    return read
