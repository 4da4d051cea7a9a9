"""Wall-clock time, injected: the system clock in services, a manual one in tests and backtests.

Not event time: the aggregator's watermark follows the events, this follows the host.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Returns the current time."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Returns the current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """Returns the time set last."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Moves the clock forward and returns the new time."""
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        """Jumps to ``when``."""
        self._now = when
