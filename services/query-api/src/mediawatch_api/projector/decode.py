"""What the projector decodes messages into: plain records for pipeline events, typed events
for the rest.

Pipeline events are nearly all of the traffic, and the projector only copies their fields into
rows and their record into a JSON column, so they stay the plain record the Avro reader gives
(``event_id`` as its checked text): building a dataclass and converting it back would cost
more than the read itself. Every other event becomes its typed dataclass. Either way a message
that does not decode raises here, so the consumer loop dead-letters it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediawatch_common.avro import AvroCodec, DecodeError
from mediawatch_common.events import Event, from_record

PIPELINE_EVENTS = frozenset({"TranscodeRequested", "StageStarted", "StageCompleted"})

Plain = tuple[str, dict[str, Any]]
"""A pipeline event as (event name, Avro record)."""

Decoded = Event | Plain


def make_decoder(codec: AvroCodec) -> Callable[[bytes], Decoded]:
    """A decoder over ``codec`` for the projector's consumer loop or history reader."""

    def decode(data: bytes) -> Decoded:
        name, record = codec.decode(data, uuid_as_text=True)
        if name in PIPELINE_EVENTS:
            return name, record
        try:
            return from_record(name, record)
        except (KeyError, TypeError, ValueError) as exc:
            raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc

    return decode
