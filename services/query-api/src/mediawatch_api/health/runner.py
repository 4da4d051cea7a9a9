"""Run every check with a timeout, cache the result, publish it as a HealthChecked event."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Any

from mediawatch_api.health.model import CheckResult, flatten, summary, worst
from mediawatch_common.events import HealthChecked, HealthCheckResult, Producer

log = logging.getLogger(__name__)

Check = Callable[[], CheckResult]
Publish = Callable[[HealthChecked], None]


def _timed(name: str, check: Check) -> CheckResult:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        # The reason goes to the response; the trace stays in the server's log.
        log.warning("health check failed", exc_info=True, extra={"component": name})
        result = CheckResult(name, "critical", f"{name} check failed: {type(exc).__name__}")
    elapsed = (time.perf_counter() - started) * 1000
    return CheckResult(result.component, result.status, result.message, result.details, elapsed)


class HealthRunner:
    """Runs the named checks in parallel and reuses a result for ``cache_seconds``."""

    def __init__(
        self,
        checks: dict[str, Check],
        timeout: float,
        cache_seconds: float,
        publish: Publish | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = checks
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._publish = publish
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, Any]] | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(checks)), thread_name_prefix="health"
        )
        self.runs = 0

    def report(self) -> dict[str, Any]:
        """The seed's detailed health document, fresh or cached."""
        with self._lock:
            if self._cached and self._clock() - self._cached[0] < self._cache_seconds:
                return {**self._cached[1], "cached": True}
            report = self._run()
            self._cached = (self._clock(), report)
            return report

    def _run(self) -> dict[str, Any]:
        checked_at = datetime.now(UTC)
        started = time.perf_counter()
        futures = {n: self._pool.submit(_timed, n, c) for n, c in self._checks.items()}
        results = []
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=self._timeout))
            except FutureTimeout:
                results.append(
                    CheckResult(
                        name,
                        "critical",
                        f"{name} check timed out",
                        response_time_ms=self._timeout * 1000,
                    )
                )
        total_ms = (time.perf_counter() - started) * 1000
        self.runs += 1
        report = {
            "overall_status": worst([r.status for r in results]),
            "timestamp": checked_at,
            "total_check_time_ms": round(total_ms, 2),
            "checks": [r.as_json() for r in results],
            "summary": summary(results),
            "cached": False,
        }
        self._announce(report, results, checked_at, total_ms)
        return report

    def _announce(
        self, report: dict[str, Any], results: list[CheckResult], at: datetime, total_ms: float
    ) -> None:
        if self._publish is None:
            return
        event = HealthChecked(
            producer=Producer.current("query-api"),
            host=socket.gethostname(),
            overall_status=report["overall_status"],
            checked_at=at,
            total_check_time_ms=total_ms,
            checks=tuple(
                HealthCheckResult(
                    component=r.component,
                    status=r.status,
                    message=r.message,
                    response_time_ms=r.response_time_ms,
                    details=flatten(r.details),
                )
                for r in results
            ),
        )
        try:
            self._publish(event)
        except Exception:
            log.warning("could not publish the health result", exc_info=True)

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
