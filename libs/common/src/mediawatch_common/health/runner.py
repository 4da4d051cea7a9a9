"""Run named checks in parallel, each bounded in time, into one report (and its event)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mediawatch_common.events import HealthChecked, HealthCheckResult, Producer
from mediawatch_common.health.results import CheckResult, flatten, summary, worst

log = logging.getLogger(__name__)

Check = Callable[[], CheckResult]

GRACE_SECONDS = 2.0
"""How long past its own timeout a check may take to report before it counts as timed out."""


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Every check's result of one run."""

    checked_at: datetime
    total_ms: float
    results: tuple[CheckResult, ...]

    @property
    def overall_status(self) -> str:
        """The worst status of all checks."""
        return worst([r.status for r in self.results])

    def as_json(self) -> dict[str, Any]:
        """The detailed health document: overall status, timestamp (a datetime, for the
        caller's encoder), checks and summary."""
        return {
            "overall_status": self.overall_status,
            "timestamp": self.checked_at,
            "total_check_time_ms": round(self.total_ms, 2),
            "checks": [r.as_json() for r in self.results],
            "summary": summary(list(self.results)),
        }

    def to_event(
        self, producer: Producer, host: str, interval_seconds: float | None
    ) -> HealthChecked:
        """The report as a :class:`HealthChecked` event of ``host``."""
        return HealthChecked(
            producer=producer,
            host=host,
            overall_status=self.overall_status,
            checked_at=self.checked_at,
            total_check_time_ms=self.total_ms,
            checks=tuple(
                HealthCheckResult(
                    component=r.component,
                    status=r.status,
                    message=r.message,
                    response_time_ms=r.response_time_ms,
                    details=flatten(r.details),
                )
                for r in self.results
            ),
            interval_seconds=interval_seconds,
        )


def _timed(name: str, check: Check) -> CheckResult:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        # The reason goes to the result; the trace stays in the process's log.
        log.warning("health check failed", exc_info=True, extra={"component": name})
        result = CheckResult(name, "critical", f"{name} check failed: {type(exc).__name__}")
    elapsed = (time.perf_counter() - started) * 1000
    return CheckResult(result.component, result.status, result.message, result.details, elapsed)


class CheckRunner:
    """Runs the named checks in parallel; a check that does not answer within ``timeout``
    (plus a short grace for checks that enforce the timeout themselves) is critical."""

    def __init__(self, checks: Mapping[str, Check], timeout: float) -> None:
        self._checks = dict(checks)
        self._timeout = timeout
        # Twice the checks: a check stuck past its timeout must not starve the next run.
        self._pool = ThreadPoolExecutor(
            max_workers=max(2, 2 * len(self._checks)), thread_name_prefix="health"
        )

    def run(self) -> HealthReport:
        """Run every check once."""
        checked_at = datetime.now(UTC)
        started = time.perf_counter()
        futures = {n: self._pool.submit(_timed, n, c) for n, c in self._checks.items()}
        deadline = time.monotonic() + self._timeout + GRACE_SECONDS
        results = []
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                message = f"{name} check timed out after {self._timeout:g} s"
                results.append(
                    CheckResult(name, "critical", message, response_time_ms=self._timeout * 1000)
                )
        total_ms = (time.perf_counter() - started) * 1000
        return HealthReport(checked_at, total_ms, tuple(results))

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
