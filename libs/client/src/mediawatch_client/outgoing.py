"""What travels from the caller to the sender thread, and what the sender counts."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from mediawatch_client.contract import EventSchema

Outgoing = tuple[EventSchema, str, str, dict[str, Any]]
"""An event waiting in the queue: its schema, topic, key and record (without ``event_id``).
A bare tuple, the cheapest thing for the caller's thread to build."""


@dataclass(frozen=True, slots=True)
class Flushed:
    """How a :meth:`MediaMonitor.flush` ended.

    Attributes:
        acknowledged: Kafka acknowledged every event emitted before the flush.
        spooled: Kafka was unreachable; what it did not take waits in the local spool and is
            sent when it returns (or at the next start).

    True when nothing emitted before the flush is left in memory only (acknowledged or
    spooled); False when the timeout ran out first.
    """

    acknowledged: bool
    spooled: bool

    def __bool__(self) -> bool:
        return self.acknowledged or self.spooled


class FlushMarker:
    """Put in the queue behind the events to flush; the sender resolves it when it gets there."""

    __slots__ = ("_done", "outcome")

    def __init__(self) -> None:
        self._done = threading.Event()
        self.outcome = Flushed(acknowledged=False, spooled=False)

    def resolve(self, *, spooling: bool) -> None:
        """Everything ahead of the marker was taken by Kafka, or spooled when ``spooling``."""
        self.outcome = Flushed(acknowledged=not spooling, spooled=spooling)
        self._done.set()

    def wait(self, timeout: float) -> Flushed:
        """The outcome, or neither acknowledged nor spooled when ``timeout`` ran out."""
        if self._done.wait(timeout):
            return self.outcome
        return Flushed(acknowledged=False, spooled=False)


@dataclass(slots=True)
class Counters:
    """What happened to events, for the once-a-minute report and for tests."""

    sent: int = 0
    spooled: int = 0
    dropped_queue_full: int = 0
    dropped_spool_full: int = 0
    dropped_refused: int = 0
    reported: dict[str, int] = field(default_factory=dict)

    def dropped(self) -> dict[str, int]:
        """Drops per reason since the start."""
        return {
            "queue full": self.dropped_queue_full,
            "spool full": self.dropped_spool_full,
            "refused by Kafka": self.dropped_refused,
        }
