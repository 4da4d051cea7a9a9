"""The API host's own checks, run on demand and reused for ``HEALTH_CHECK_CACHE_DURATION``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping

from mediawatch_common.health import Check, CheckRunner, HealthReport


class HealthRunner:
    """Runs the named checks in parallel and reuses a report for ``cache_seconds``."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        timeout: float,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        host: str | None = None,
    ) -> None:
        self.host = host or socket.gethostname()
        """The host these checks run on (named in each of their results)."""
        self._runner = CheckRunner(checks, timeout)
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, HealthReport] | None = None
        self.runs = 0

    def report(self) -> tuple[HealthReport, bool]:
        """A fresh or cached report, and whether it came from the cache."""
        with self._lock:
            if self._cached and self._clock() - self._cached[0] < self._cache_seconds:
                return self._cached[1], True
            report = self._runner.run()
            self.runs += 1
            self._cached = (self._clock(), report)
            return report, False

    def close(self) -> None:
        """Stop the worker threads."""
        self._runner.close()
