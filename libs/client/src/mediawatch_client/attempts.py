"""Which attempt of a stage a session is on, and when the open one started."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from mediawatch_client.vocabulary import ProcessingStage

Key = tuple[str, ProcessingStage]


@dataclass(frozen=True, slots=True)
class OpenStage:
    """A stage that started and has not completed yet."""

    user_id: str
    attempt: int
    started_at: int  # microseconds since the epoch
    started_monotonic: float


class AttemptBook:
    """Counts attempts per (session, stage) and remembers the open ones.

    Both maps are bounded (least recently used entries go first), so a pipeline that never
    completes what it starts cannot grow the client without limit.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._attempts: OrderedDict[Key, int] = OrderedDict()
        self._open: OrderedDict[Key, OpenStage] = OrderedDict()

    def start(
        self,
        session_id: str,
        stage: ProcessingStage,
        user_id: str,
        at: int,
        mono: float,
        attempt: int | None = None,
    ) -> int:
        """Record a start; returns its attempt number: ``attempt`` when given, else the
        next one (1 for the first)."""
        key = (session_id, stage)
        with self._lock:
            previous = self._attempts.pop(key, 0)
            attempt = attempt if attempt is not None else previous + 1
            self._attempts[key] = attempt
            self._open.pop(key, None)
            self._open[key] = OpenStage(user_id, attempt, at, mono)
            for table in (self._attempts, self._open):
                while len(table) > self._capacity:
                    table.popitem(last=False)
        return attempt

    def seen(self, session_id: str, stage: ProcessingStage, attempt: int) -> None:
        """Another process ran ``attempt``: the next start here is numbered after it."""
        key = (session_id, stage)
        with self._lock:
            self._attempts[key] = max(self._attempts.pop(key, 0), attempt)
            while len(self._attempts) > self._capacity:
                self._attempts.popitem(last=False)

    def complete(self, session_id: str, stage: ProcessingStage) -> OpenStage | None:
        """Close the open attempt of (session, stage); ``None`` when none was started."""
        with self._lock:
            return self._open.pop((session_id, stage), None)

    def last_attempt(self, session_id: str, stage: ProcessingStage) -> int:
        """The latest attempt number seen for (session, stage), 0 when none."""
        with self._lock:
            return self._attempts.get((session_id, stage), 0)

    def user_of(self, session_id: str) -> str | None:
        """The user of any open stage of the session, if one is known."""
        with self._lock:
            for (session, _), entry in reversed(self._open.items()):
                if session == session_id:
                    return entry.user_id
        return None
