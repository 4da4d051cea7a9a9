"""The health reporter's Prometheus metrics: each check's latest status and its results.

``component`` is a check's name (cpu, memory, disk, ffmpeg, storage, ...), ``status`` one of
``healthy``, ``warning``, ``critical``.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

from mediawatch_common.health import HealthReport
from mediawatch_common.health.results import STATUSES


class HealthMetrics:
    """The latest run of the checks as gauges, every run's results as counters."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.status = Gauge(
            "mediawatch_health_check_status",
            "1 for the status of the latest run of each check, 0 for the other statuses.",
            ["component", "status"],
            registry=registry,
        )
        self.results = Counter(
            "mediawatch_health_check_results",
            "Check results, by check and status.",
            ["component", "status"],
            registry=registry,
        )
        self.duration = Gauge(
            "mediawatch_health_check_duration_seconds",
            "How long each check took in the latest run.",
            ["component"],
            registry=registry,
        )
        self.reports = Counter(
            "mediawatch_health_reports",
            "Runs of the checks, by whether their HealthChecked was published.",
            ["outcome"],
            registry=registry,
        )

    def reported(self, report: HealthReport, published: bool) -> None:
        """Record one run of the checks."""
        for result in report.results:
            for status in STATUSES:
                self.status.labels(result.component, status).set(status == result.status)
            self.results.labels(result.component, result.status).inc()
            self.duration.labels(result.component).set(result.response_time_ms / 1000)
        self.reports.labels("published" if published else "failed").inc()
