"""Errors raised by the Avro codec and schema registry."""

from __future__ import annotations

from typing import Literal

DecodeReason = Literal[
    "too_short",
    "bad_marker",
    "unknown_fingerprint",
    "truncated_body",
    "invalid_body",
]
"""Stable, machine-readable causes of a :class:`DecodeError` (usable as a metric label)."""


class AvroError(Exception):
    """Base class of every error raised by :mod:`mediawatch_common.avro`."""


class SchemaError(AvroError):
    """A schema file is missing, malformed, or conflicts with another one."""


class DecodeError(AvroError):
    """Bytes could not be decoded into an event.

    Attributes:
        reason: Which check failed; one of :data:`DecodeReason`.
        detail: Human-readable specifics, e.g. the unknown fingerprint in hex.
    """

    def __init__(self, reason: DecodeReason, detail: str = "") -> None:
        self.reason: DecodeReason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class EncodeError(AvroError):
    """A record does not match the schema it is encoded with.

    Attributes:
        event: Name of the event being encoded.
        field: Dotted path of the offending field (``producer.pid``, ``inputs[0].uri``),
            or ``None`` when the problem is not tied to one field.
        detail: What is wrong with it.
    """

    def __init__(self, event: str, field: str | None, detail: str) -> None:
        self.event = event
        self.field = field
        self.detail = detail
        where = f"{event}.{field}" if field else event
        super().__init__(f"cannot encode {where}: {detail}")
