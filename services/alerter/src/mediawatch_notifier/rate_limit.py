"""A token bucket per sink, so a burst of alerts does not get a webhook banned."""

from __future__ import annotations

import threading


class TokenBucket:
    """``per_minute`` messages a minute, bursts up to ``burst``; thread-safe.

    :meth:`reserve` takes a token now or books the next one and says how long to wait, so
    concurrent callers queue fairly instead of all waking up at once.
    """

    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self._rate = per_minute / 60.0
        self._capacity = burst if burst is not None else max(1.0, per_minute)
        self._tokens = self._capacity
        self._at: float | None = None
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Take one token at monotonic time ``now``; returns seconds to wait before using it."""
        with self._lock:
            if self._at is not None:
                self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._rate)
            self._at = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self._rate
