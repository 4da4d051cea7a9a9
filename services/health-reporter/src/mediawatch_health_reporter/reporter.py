"""Run the checks every interval and publish each report; the loop survives any failure."""

from __future__ import annotations

import logging
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mediawatch_common.events import HealthChecked, Producer
from mediawatch_common.health import CheckRunner, HealthReport
from mediawatch_health_reporter.metrics import HealthMetrics

log = logging.getLogger(__name__)

Publish = Callable[[HealthChecked], None]


@dataclass(frozen=True, slots=True)
class RunCost:
    """CPU seconds one run of the checks took: this process, and the ffmpeg it started."""

    own_cpu_seconds: float
    children_cpu_seconds: float

    @classmethod
    def measure(cls, run: Callable[[], HealthReport]) -> tuple[HealthReport, RunCost]:
        """Run ``run`` and the CPU time it used (resource usage of the process and of its
        waited-for children)."""
        own, kids = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        report = run()
        cost = cls(_cpu(resource.RUSAGE_SELF) - own, _cpu(resource.RUSAGE_CHILDREN) - kids)
        return report, cost


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class HealthReporter:
    """Every ``interval`` seconds: run every check once and publish the report."""

    def __init__(
        self,
        runner: CheckRunner,
        publish: Publish,
        producer: Producer,
        interval: float,
        metrics: HealthMetrics | None = None,
    ) -> None:
        self._runner = runner
        self._metrics = metrics or HealthMetrics(registry=None)
        self._publish = publish
        self._producer = producer
        self._interval = interval
        self._stopping = threading.Event()
        self.published = 0

    def run_once(self) -> HealthReport:
        """One run of the checks, published (a failed publish is logged, not raised)."""
        report, cost = RunCost.measure(self._runner.run)
        event = report.to_event(self._producer, self._producer.host, self._interval)
        if self._stopping.is_set():
            # Its wait for the brokers would only delay the stop; the next reporter reports.
            log.info("stopping: this run's report is not published")
            return report
        published = False
        try:
            self._publish(event)
            self.published += 1
            published = True
        except Exception:
            log.warning("could not publish the health report", exc_info=True)
        self._metrics.reported(report, published, self._producer.host)
        log.info(
            "health checked",
            extra={
                "overall_status": report.overall_status,
                "total_check_time_ms": round(report.total_ms, 1),
                "cpu_seconds": round(cost.own_cpu_seconds, 3),
                "ffmpeg_cpu_seconds": round(cost.children_cpu_seconds, 3),
                "failing": [r.component for r in report.results if r.status != "healthy"],
            },
        )
        return report

    def run(self) -> None:
        """Report at once, then every interval (from the start of the previous run) until
        :meth:`stop`."""
        next_run = time.monotonic()
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("health run failed; trying again next interval")
            next_run += self._interval
            self._stopping.wait(max(0.0, next_run - time.monotonic()))

    def stop(self) -> None:
        """End :meth:`run` after the current run."""
        self._stopping.set()
