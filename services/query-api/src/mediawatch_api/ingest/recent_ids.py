"""Event ids this API process accepted lately, so that a resent batch is not appended twice."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable


class RecentIds:
    """The last ``capacity`` accepted event ids (oldest forgotten first), thread-safe."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, event_id: str) -> bool:
        """Whether ``event_id`` was accepted lately."""
        with self._lock:
            return event_id in self._ids

    def add(self, event_ids: Iterable[str]) -> None:
        """Remember ``event_ids`` as accepted."""
        with self._lock:
            for event_id in event_ids:
                self._ids[event_id] = None
                self._ids.move_to_end(event_id)
            while len(self._ids) > self._capacity:
                self._ids.popitem(last=False)
