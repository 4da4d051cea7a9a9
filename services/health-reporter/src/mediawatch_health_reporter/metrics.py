"""The health reporter's Prometheus metrics: each check's latest status and its results.

``component`` is a check's name (cpu, memory, disk, ffmpeg, storage, ...), ``status`` one of
``healthy``, ``warning``, ``critical``. The ``system_resources`` check's figures are also
gauges of their own, by ``host``, for Prometheus's host rules.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

from mediawatch_common.health import HealthReport
from mediawatch_common.health.results import STATUSES, CheckResult

# The system_resources check's detail for each host gauge's resource.
HOST_FIGURES = {
    "cpu": "cpu_usage_percent",
    "memory": "memory_usage_percent",
    "disk": "disk_usage_percent",
}


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
        self.host_usage = {
            resource: Gauge(
                f"mediawatch_host_{resource}_usage_ratio",
                f"Share of this host's {resource} in use at the latest run of the checks"
                + (" (the file system of the temp directory)." if resource == "disk" else "."),
                ["host"],
                registry=registry,
            )
            for resource in HOST_FIGURES
        }
        self.reports = Counter(
            "mediawatch_health_reports",
            "Runs of the checks, by whether their HealthChecked was published.",
            ["outcome"],
            registry=registry,
        )

    def reported(self, report: HealthReport, published: bool, host: str) -> None:
        """Record one run of the checks on ``host``."""
        for result in report.results:
            if result.component == "system_resources":
                self._host_figures(result, host)
            for status in STATUSES:
                self.status.labels(result.component, status).set(status == result.status)
            self.results.labels(result.component, result.status).inc()
            self.duration.labels(result.component).set(result.response_time_ms / 1000)
        self.reports.labels("published" if published else "failed").inc()

    def _host_figures(self, result: CheckResult, host: str) -> None:
        for resource, detail in HOST_FIGURES.items():
            percent = result.details.get(detail)
            if isinstance(percent, int | float):
                self.host_usage[resource].labels(host).set(percent / 100)
