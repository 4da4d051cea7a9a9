"""A durable first-in first-out queue of Kafka messages on local disk.

Messages wait here while Kafka is unreachable and survive a crash or a restart: append-only
segment files of ``<length:u32><crc32:u32><body>`` records, fsynced once per batch, and a
``head`` file naming the first message not yet sent. A full spool refuses what does not fit
and never overwrites what it holds (``docs/instrumenting-a-pipeline.md``).
"""

from __future__ import annotations

import fcntl
import os
import struct
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, NamedTuple

_RECORD = struct.Struct("<II")
_TOPIC = struct.Struct("<H")
_KEY = struct.Struct("<i")
SEGMENT_SUFFIX = ".seg"


class Message(NamedTuple):
    """One Kafka message: topic, key (``None`` for none) and value."""

    topic: str
    key: bytes | None
    value: bytes


class Position(NamedTuple):
    """A place in the spool: segment number and byte offset in it."""

    segment: int
    offset: int


class Chunk(NamedTuple):
    """Messages read from the head, where they end, and how many bytes they took."""

    messages: list[Message]
    end: Position
    size: int


class SpoolLockedError(RuntimeError):
    """Another live process owns this spool directory."""


def pack(message: Message) -> bytes:
    """One record: header, then topic, key and value."""
    topic = message.topic.encode()
    key = message.key
    body = b"".join(
        (
            _TOPIC.pack(len(topic)),
            topic,
            _KEY.pack(-1 if key is None else len(key)),
            key or b"",
            message.value,
        )
    )
    return _RECORD.pack(len(body), zlib.crc32(body)) + body


def unpack(body: bytes) -> Message:
    """The message of a record body (the inverse of :func:`pack`)."""
    (topic_len,) = _TOPIC.unpack_from(body, 0)
    at = _TOPIC.size
    topic = body[at : at + topic_len].decode()
    at += topic_len
    (key_len,) = _KEY.unpack_from(body, at)
    at += _KEY.size
    key = None if key_len < 0 else body[at : at + key_len]
    at += max(key_len, 0)
    return Message(topic, key, body[at:])


def read_records(stream: IO[bytes]) -> Iterable[tuple[Message, int]]:
    """Every whole, intact record of a segment with the offset just after it."""
    while True:
        header = stream.read(_RECORD.size)
        if len(header) < _RECORD.size:
            return
        length, crc = _RECORD.unpack(header)
        body = stream.read(length)
        if len(body) < length or zlib.crc32(body) != crc:
            return
        yield unpack(body), stream.tell()


class Spool:
    """Durable FIFO of :class:`Message` in ``directory``, owned by one process at a time."""

    def __init__(self, directory: Path, max_bytes: int, segment_bytes: int = 4 << 20) -> None:
        """Open (or create) the spool and lock it for this process.

        Raises:
            SpoolLockedError: Another process holds the directory.
        """
        self.directory = directory
        self.max_bytes = max_bytes
        self._segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = open(directory / ".lock", "a+b")  # noqa: SIM115 - held for our lifetime
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock.close()
            raise SpoolLockedError(f"{directory} is in use by another process") from exc
        self._head = self._read_head()
        self._segments = sorted(
            int(p.stem) for p in directory.glob(f"*{SEGMENT_SUFFIX}") if p.stem.isdigit()
        )
        self._segments = [s for s in self._segments if s >= self._head.segment]
        self._writer: IO[bytes] | None = None
        self.pending, self.size = self._recover()

    @classmethod
    def claim(cls, base: Path, name: str, max_bytes: int, tries: int = 64) -> Spool:
        """The first free spool of ``base/name``, ``base/name-2``, ... for this process."""
        for n in range(1, tries + 1):
            try:
                return cls(base / (name if n == 1 else f"{name}-{n}"), max_bytes)
            except SpoolLockedError:
                continue
        raise SpoolLockedError(f"{tries} spools of {name} under {base} are all in use")

    def siblings(self) -> list[Path]:
        """Other spool directories of the same name (left by processes that ended)."""
        stem = self.directory.name.rsplit("-", 1)[0]
        candidates = [self.directory.parent / stem, *self.directory.parent.glob(f"{stem}-*")]
        return [p for p in candidates if p != self.directory and p.is_dir()]

    @property
    def empty(self) -> bool:
        """True when every spooled message has been sent."""
        return self.pending == 0

    def append(self, messages: Sequence[Message]) -> int:
        """Write ``messages`` durably, in order; returns how many fitted under the cap."""
        accepted = 0
        new_segment = False
        for message in messages:
            record = pack(message)
            if self.size + len(record) > self.max_bytes:
                break
            if self._writer is None or self._writer.tell() >= self._segment_bytes:
                new_segment = self._rotate() or new_segment
            assert self._writer is not None
            self._writer.write(record)
            self.size += len(record)
            self.pending += 1
            accepted += 1
        if accepted and self._writer is not None:
            self._writer.flush()
            os.fsync(self._writer.fileno())
            if new_segment:
                _fsync_dir(self.directory)
        return accepted

    def read(self, limit: int) -> Chunk:
        """Up to ``limit`` messages from the head."""
        out: list[Message] = []
        position = self._head
        size = 0
        for segment in self._segments:
            if segment < position.segment:
                continue
            start = position.offset if segment == position.segment else 0
            with open(self._path(segment), "rb") as stream:
                stream.seek(start)
                for message, end in read_records(stream):
                    out.append(message)
                    size += end - start
                    start = end
                    position = Position(segment, end)
                    if len(out) >= limit:
                        return Chunk(out, position, size)
            if self._writer is None or segment != self._segments[-1]:
                position = Position(segment + 1, 0)
        return Chunk(out, position, size)

    def advance(self, chunk: Chunk) -> None:
        """Mark ``chunk`` (read from the head) as sent and delete finished segments."""
        position, sent, sent_bytes = chunk.end, len(chunk.messages), chunk.size
        self._head = position
        tmp = self.directory / "head.tmp"
        tmp.write_text(f"{position.segment} {position.offset}\n", encoding="ascii")
        with open(tmp, "rb") as stream:
            os.fsync(stream.fileno())
        tmp.replace(self.directory / "head")
        self.pending = max(0, self.pending - sent)
        self.size = max(0, self.size - sent_bytes)
        while self._segments and self._segments[0] < position.segment:
            self._path(self._segments.pop(0)).unlink(missing_ok=True)
        if self.pending == 0:
            self._reset()
        _fsync_dir(self.directory)

    def close(self) -> None:
        """Close the files and release the directory."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._lock.close()

    def _path(self, segment: int) -> Path:
        return self.directory / f"{segment:012d}{SEGMENT_SUFFIX}"

    def _rotate(self) -> bool:
        if self._writer is not None:
            self._writer.close()
        number = (self._segments[-1] + 1) if self._segments else self._head.segment
        self._segments.append(number)
        self._writer = open(self._path(number), "ab")  # noqa: SIM115 - kept open for appends
        return True

    def _reset(self) -> None:
        """Empty spool: drop every segment and start again at segment 0."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        for segment in self._segments:
            self._path(segment).unlink(missing_ok=True)
        self._segments = []
        self._head = Position(0, 0)
        (self.directory / "head").unlink(missing_ok=True)
        self.size = 0

    def _read_head(self) -> Position:
        try:
            segment, offset = (self.directory / "head").read_text(encoding="ascii").split()
            return Position(int(segment), int(offset))
        except (FileNotFoundError, ValueError):
            return Position(0, 0)

    def _recover(self) -> tuple[int, int]:
        """Count what is pending and cut a torn record off the last segment."""
        pending = size = 0
        for segment in self._segments:
            start = self._head.offset if segment == self._head.segment else 0
            path = self._path(segment)
            end = start
            with open(path, "rb") as stream:
                stream.seek(start)
                for _, stop in read_records(stream):
                    pending += 1
                    end = stop
            size += end - start
            if end < path.stat().st_size:
                os.truncate(path, end)
        return pending, size


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
