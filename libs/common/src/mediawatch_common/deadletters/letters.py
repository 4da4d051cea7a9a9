"""A dead letter as read back from the dead-letter topic: the message and why it failed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from confluent_kafka import Message

from mediawatch_common.avro.errors import DecodeReason
from mediawatch_common.kafka.deadletter import (
    CONSUMER_GROUP,
    FAILED_AT,
    ORIGIN_OFFSET,
    ORIGIN_PARTITION,
    ORIGIN_TOPIC,
    REASON,
)

REDRIVEN_FROM = "mw-redriven-from"
"""Header of a re-driven record: the dead letter it copies (``topic:partition@offset``)."""
REDRIVEN_AT = "mw-redriven-at"
"""Header of a re-driven record: when it was sent back (ISO, UTC)."""

_DECODE_REASONS: frozenset[str] = frozenset(DecodeReason.__args__)  # type: ignore[attr-defined]

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One message of the dead-letter topic that carries the dead-letter headers."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    reason: str
    origin_topic: str
    origin_partition: int
    origin_offset: int
    consumer_group: str
    failed_at: datetime

    @property
    def where(self) -> str:
        """``partition:offset`` in the dead-letter topic, as the commands accept it."""
        return f"{self.partition}:{self.offset}"

    @property
    def event_time(self) -> datetime:
        """When it was dead-lettered (lets a replay order it among events)."""
        return self.failed_at

    @property
    def reason_class(self) -> str:
        """The reason without its specifics: what dead letters are counted by."""
        return reason_class(self.reason)


def reason_class(reason: str) -> str:
    """``DecodeError: unknown_fingerprint: 00ff..`` -> ``DecodeError: unknown_fingerprint``;
    any other ``Type: detail`` -> ``Type``."""
    parts = reason.split(": ", 2)
    if len(parts) > 1 and parts[0] == "DecodeError" and parts[1] in _DECODE_REASONS:
        return f"{parts[0]}: {parts[1]}"
    return parts[0][:100] or "unknown"


def header_map(headers: Headers | None) -> dict[str, str]:
    """Headers as text (the last value of a repeated name wins)."""
    return {name: (value or b"").decode(errors="replace") for name, value in headers or ()}


def _int(text: str | None, default: int = -1) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _time(text: str | None, timestamp_ms: int) -> datetime:
    try:
        if text:
            found = datetime.fromisoformat(text)
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    except ValueError:
        pass
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


def _bytes(value: str | bytes | None) -> bytes:
    return value.encode() if isinstance(value, str) else value or b""


def from_message(msg: Message) -> DeadLetter | None:
    """The dead letter ``msg`` is, or None when it has no ``mw-reason`` header (an event
    written to the dead-letter topic, such as a ``DeadLetterRedriven``)."""
    found = msg.headers() or []
    pairs = found.items() if isinstance(found, dict) else found  # read messages give a list
    raw = tuple((str(name), _bytes(value)) for name, value in pairs)
    headers = header_map(raw)
    if REASON not in headers:
        return None
    timestamp_ms = msg.timestamp()[1]
    return DeadLetter(
        topic=str(msg.topic()),
        partition=msg.partition() or 0,
        offset=msg.offset() or 0,
        timestamp_ms=timestamp_ms,
        key=msg.key(),
        value=msg.value() or b"",
        headers=raw,
        reason=headers[REASON],
        origin_topic=headers.get(ORIGIN_TOPIC, ""),
        origin_partition=_int(headers.get(ORIGIN_PARTITION)),
        origin_offset=_int(headers.get(ORIGIN_OFFSET)),
        consumer_group=headers.get(CONSUMER_GROUP, ""),
        failed_at=_time(headers.get(FAILED_AT), timestamp_ms),
    )
