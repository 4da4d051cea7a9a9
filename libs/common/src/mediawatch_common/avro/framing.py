"""Avro single-object encoding: ``C3 01`` marker, 8-byte fingerprint, binary body."""

from __future__ import annotations

from mediawatch_common.avro.errors import DecodeError

MARKER = b"\xc3\x01"
FINGERPRINT_SIZE = 8
HEADER_SIZE = len(MARKER) + FINGERPRINT_SIZE


def frame(fingerprint: bytes, body: bytes) -> bytes:
    """Prefixes an Avro binary body with the single-object header.

    Args:
        fingerprint: Little-endian CRC-64-AVRO fingerprint of the writer schema.
        body: The datum encoded with that schema.

    Raises:
        ValueError: ``fingerprint`` is not 8 bytes long.
    """
    if len(fingerprint) != FINGERPRINT_SIZE:
        raise ValueError(f"fingerprint must be {FINGERPRINT_SIZE} bytes, got {len(fingerprint)}")
    return MARKER + fingerprint + body


def unframe(data: bytes) -> tuple[bytes, bytes]:
    """Splits single-object encoded bytes into (fingerprint, body).

    Raises:
        DecodeError: ``too_short`` if the header is incomplete, ``bad_marker`` if the
            first two bytes are not ``C3 01``.
    """
    if len(data) < HEADER_SIZE:
        raise DecodeError("too_short", f"{len(data)} bytes, the header alone is {HEADER_SIZE}")
    if data[: len(MARKER)] != MARKER:
        raise DecodeError("bad_marker", f"expected c301, got {data[: len(MARKER)].hex()}")
    return data[len(MARKER) : HEADER_SIZE], data[HEADER_SIZE:]
