"""Retrying with capped exponential backoff and full jitter.

Every loop that retries until it succeeds (a consumer's handler, a publish, a projection
write, a webhook delivery) waits with :class:`Backoff`: the jitter spreads the retries of
processes that failed together, so they do not all return to a recovering broker or
database at the same instant.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

Random = Callable[[], float]
"""A source of floats in [0, 1): ``random.random``, or ``random.Random(n).random`` in tests."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays of ``initial * multiplier**(attempt - 1)``, capped at ``maximum``, jittered."""

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.initial < 0 or self.maximum < 0 or self.multiplier < 1:
            raise ValueError(f"not a backoff: {self}")

    def ceiling(self, attempt: int) -> float:
        """The longest delay after failed attempt number ``attempt`` (from 1)."""
        if attempt < 1:
            raise ValueError(f"attempts count from 1, got {attempt}")
        exponent = min(attempt - 1, 64)  # past 2**64 every ceiling is the maximum anyway
        return float(min(self.maximum, self.initial * self.multiplier**exponent))

    def delay(self, attempt: int, random: Random = _random.random) -> float:
        """A delay drawn uniformly from [0, :meth:`ceiling`) ("full jitter")."""
        return self.ceiling(attempt) * random()


def retry(
    action: Callable[[], T],
    backoff: Backoff,
    *,
    stopping: Callable[[], bool] = lambda: False,
    wait: Callable[[float], object] = time.sleep,
    on_retry: Callable[[Exception, float], None] | None = None,
    retry_on: type[Exception] | tuple[type[Exception], ...] = Exception,
    max_attempts: int | None = None,
    random: Random = _random.random,
) -> T:
    """Call ``action`` until it returns, waiting a jittered backoff after each failure.

    Args:
        action: What to try; its result is returned.
        backoff: The delays between attempts.
        stopping: True once the caller is shutting down: the last failure is raised at
            once rather than waited out.
        wait: How to wait (default ``time.sleep``); a consumer passes a wait that keeps
            polling so that it keeps its group membership, and returns early on shutdown.
        on_retry: Called with the failure and the coming delay (to log it, pause input).
        retry_on: The failures worth retrying; any other is raised at once.
        max_attempts: Give up after this many attempts (None: never).
        random: The jitter's random source.

    Raises:
        Exception: The last failure, when stopping or out of attempts.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return action()
        except retry_on as exc:
            if stopping() or (max_attempts is not None and attempt >= max_attempts):
                raise
            delay = backoff.delay(attempt, random)
            if on_retry is not None:
                on_retry(exc, delay)
            wait(delay)
            if stopping():
                raise
