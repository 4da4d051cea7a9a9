"""When to try a delivery again: jittered exponential backoff, Retry-After on 429, no retry
on 4xx."""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from mediawatch_common.retry import Backoff, Random


@dataclass(frozen=True, slots=True)
class Decision:
    """Retry after ``delay`` seconds, or give up (``final``), and why."""

    final: bool
    delay: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff drawn from ``[0, initial * 2**(attempt-1))`` with the ceiling capped at
    ``maximum`` ("full jitter"); ``max_attempts`` in all. ``random`` is the jitter's source."""

    max_attempts: int = 5
    initial: float = 1.0
    maximum: float = 60.0
    max_retry_after: float = 300.0
    random: Random = field(default=_random.random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt number ``attempt`` (from 1), drawn at random below the
        capped exponential ceiling: notifiers that saw a sink fail together (or one restarted
        mid-retry) do not return to it in lockstep. The drawn delay is both the one waited and
        the one the delivery record announces."""
        return Backoff(self.initial, self.maximum).delay(attempt, self.random)

    def decide(
        self, attempt: int, status: int | None, retry_after: str | None, now: datetime
    ) -> Decision:
        """What to do after a failed attempt (``status`` None: no response at all)."""
        reason = f"HTTP {status}" if status is not None else "no response"
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            return Decision(True, None, f"{reason}: not retried")
        if attempt >= self.max_attempts:
            return Decision(True, None, f"{reason}: gave up after {attempt} attempts")
        delay = self.backoff(attempt)
        if status == 429 and retry_after is not None:
            asked = parse_retry_after(retry_after, now)
            if asked is not None:
                delay = min(asked, self.max_retry_after)
        return Decision(False, delay, reason)


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())
