"""``LogRecorded`` written straight from a log record, without fastavro.

Cheaper than the codec for the shipper's thread, whose CPU time is taken from the threads that
log; used only once it has encoded a sample byte for byte as the codec does
(:meth:`LogEncoder.create`), otherwise the shipper uses the codec.
"""

from __future__ import annotations

import logging
import struct
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from mediawatch_common.avro import AvroCodec
from mediawatch_common.avro.framing import frame
from mediawatch_common.events import LogRecorded, Producer, Scalar, encode_event
from mediawatch_common.logs.records import MAX_TEXT, event_extra

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DOUBLE = struct.Struct("<d")


_SMALL = [bytes((n,)) for n in range(128)]


def _long(n: int) -> bytes:
    n = (n << 1) ^ (n >> 63)
    if n < 128:
        return _SMALL[n]
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_TEXTS: dict[str, bytes] = {}
"""Encodings of the short strings that recur in every record: level, logger, module, keys."""


def _text(value: str) -> bytes:
    known = _TEXTS.get(value)
    if known is not None:
        return known
    data = value.encode("utf-8", "surrogatepass")
    encoded = _long(len(data)) + data
    if len(value) <= 64 and len(_TEXTS) < 4096:
        _TEXTS[value] = encoded
    return encoded


def _value(value: Scalar) -> bytes:
    if value is None:
        return b"\x00"
    if value is True or value is False:
        return b"\x02\x01" if value else b"\x02\x00"
    if isinstance(value, int):
        return b"\x04" + _long(value)
    if isinstance(value, float):
        return b"\x06" + _DOUBLE.pack(value)
    return b"\x08" + _text(value)


def micros(at: datetime) -> int:
    """Microseconds since the epoch, as Avro's timestamp-micros counts them."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def body(event: LogRecorded) -> bytes:
    """The Avro binary body of ``event`` in the layout of the LogRecorded schema."""
    who = event.producer
    parts = [
        _text(str(event.event_id)),
        _long(micros(event.event_time)),
        _text(who.service) + _text(who.host) + _long(who.pid),
        _long(micros(event.timestamp)),
        _text(event.level),
        _text(event.logger),
        _text(event.message),
        _text(event.module),
        _text(event.function),
        _long(event.line),
        _long(event.process_id),
        _long(event.thread_id),
        _map(event.extra),
    ]
    return b"".join(parts)


def _map(extra: Mapping[str, Scalar]) -> bytes:
    if not extra:
        return b"\x00"
    items = b"".join(_text(k) + _value(v) for k, v in extra.items())
    return _long(len(extra)) + items + b"\x00"


class LogEncoder:
    """Encodes ``LogRecorded`` events as the codec would, only faster."""

    def __init__(self, fingerprint: bytes) -> None:
        self._fingerprint = fingerprint

    @classmethod
    def create(cls, codec: AvroCodec) -> LogEncoder | None:
        """An encoder for the codec's current schema, or None when it would write other bytes."""
        fingerprint = codec.registry.current("LogRecorded").fingerprint
        encoder = cls(fingerprint)
        sample = LogRecorded(
            event_id=uuid.UUID(int=2**127 + 12345),
            event_time=datetime.fromtimestamp(time.time(), UTC),
            producer=Producer(service="sérvice", host="h", pid=-7),
            timestamp=datetime.fromtimestamp(1.5e9 + 0.123456, UTC),
            level="WARNING",
            logger="a.b",
            message="m\n✓",
            module="mod",
            function="",
            line=2**31 - 1,
            process_id=1,
            thread_id=2**62,
            extra={"n": None, "t": True, "f": False, "i": -(2**63), "d": -1.25, "s": "x"},
        )
        if encoder.encode(sample) != encode_event(sample, codec):
            return None
        return encoder

    def encode(self, event: LogRecorded) -> bytes:
        """Single-object encoded bytes of ``event``."""
        return frame(self._fingerprint, body(event))

    @staticmethod
    def producer_bytes(producer: Producer) -> bytes:
        """The encoded producer, the same in every event of a process."""
        return _text(producer.service) + _text(producer.host) + _long(producer.pid)

    def encode_record(self, record: logging.LogRecord, message: str, producer: bytes) -> bytes:
        """The bytes of ``log_event(record, message, ...)``, without building the event."""
        parts = [
            _text(str(uuid.uuid4())),
            _long(time.time_ns() // 1000),
            producer,
            _long(micros(datetime.fromtimestamp(record.created, UTC))),
            _text(record.levelname),
            _text(record.name),
            _text(message[:MAX_TEXT]),
            _text(record.module),
            _text(record.funcName or ""),
            _long(record.lineno),
            _long(record.process or 0),
            _long(record.thread or 0),
            _map(event_extra(record)),
        ]
        return frame(self._fingerprint, b"".join(parts))
