"""Messages Kafka may have written without acknowledging them.

A message whose delivery failed after it was given a partition may be in the log all the same:
the broker wrote it and went away before it answered (librdkafka's "possibly persisted").
Sending it again from the spool would write it twice. So the sender notes such messages here,
and before it sends the spool it reads their partitions back
(:func:`mediawatch_client.readback.find_written`); what it finds there is skipped when the
spool reaches it. The notes live in a file beside the spool, so a restarted process checks
them too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("mediawatch_client")

FILE_NAME = "unconfirmed.json"

Partition = tuple[str, int]
"""A topic and a partition number."""


def digest(value: bytes) -> bytes:
    """What identifies a message: every event's value holds its own ``event_id``."""
    return hashlib.blake2b(value, digest_size=16).digest()


@dataclass(slots=True)
class Suspects:
    """Messages of one partition that may be in its log.

    Attributes:
        since_ms: A time (ms since the epoch) before any of them was produced.
        digests: Their :func:`digest`.
    """

    since_ms: int
    digests: set[bytes] = field(default_factory=set)


class Unconfirmed:
    """Messages to look for in the log, and messages found there that the spool still holds."""

    def __init__(self, path: Path | None) -> None:
        """Load the notes at ``path`` (kept in memory only when ``None``)."""
        self._path = path
        self.suspects: dict[Partition, Suspects] = {}
        self.written: set[bytes] = set()
        if path is not None:
            self._load(path)

    def suspect(self, topic: str, partition: int, since_ms: int, value: bytes) -> None:
        """Note a message that failed after it may have reached ``topic[partition]``."""
        entry = self.suspects.setdefault((topic, partition), Suspects(since_ms))
        entry.since_ms = min(entry.since_ms, since_ms)
        entry.digests.add(digest(value))

    def settle(self, written: set[bytes]) -> None:
        """The suspects were looked for: ``written`` were found; the rest are to be sent."""
        self.suspects.clear()
        self.written |= written
        self.save()

    def already_written(self, value: bytes) -> bool:
        """True (once) when the log already holds this message: skip it."""
        if not self.written:
            return False
        key = digest(value)
        if key in self.written:
            self.written.discard(key)
            return True
        return False

    def forget_written(self) -> None:
        """The spool is empty: nothing found in the log is left to skip."""
        self.written.clear()
        self.save()

    def save(self) -> None:
        """Write the notes durably (or remove the file when there are none)."""
        if self._path is None:
            return
        if not self.suspects and not self.written:
            self._path.unlink(missing_ok=True)
            return
        document = {
            "suspects": [
                {"topic": t, "partition": p, "since_ms": s.since_ms,
                 "digests": sorted(d.hex() for d in s.digests)}
                for (t, p), s in self.suspects.items()
            ],
            "written": sorted(d.hex() for d in self.written),
        }  # fmt: skip
        tmp = self._path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as stream:
            json.dump(document, stream)
            stream.flush()
            os.fsync(stream.fileno())
        tmp.replace(self._path)

    def _load(self, path: Path) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            for item in document["suspects"]:
                digests = {bytes.fromhex(d) for d in item["digests"]}
                key = (str(item["topic"]), int(item["partition"]))
                self.suspects[key] = Suspects(int(item["since_ms"]), digests)
            self.written = {bytes.fromhex(d) for d in document["written"]}
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError) as exc:
            self.suspects.clear()
            self.written.clear()
            log.warning(
                "%s is unreadable (%s): spooled events Kafka may already hold are sent again",
                path,
                exc,
            )
