from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_common.health import HealthReport
from mediawatch_common.health.results import CheckResult
from mediawatch_health_reporter.metrics import HealthMetrics

pytestmark = pytest.mark.unit


def _report(disk: str) -> HealthReport:
    results = (
        CheckResult("ffmpeg", "healthy", "ok", response_time_ms=120.0),
        CheckResult("disk", disk, "disk usage", response_time_ms=2.0),
    )
    return HealthReport(datetime(2026, 12, 1, tzinfo=UTC), 122.0, results)


def test_latest_status_results_and_published_reports() -> None:
    registry = CollectorRegistry()
    metrics = HealthMetrics(registry)
    metrics.reported(_report("warning"), published=True, host="worker-1")
    metrics.reported(_report("critical"), published=False, host="worker-1")
    value = registry.get_sample_value
    assert value("mediawatch_health_check_status", {"component": "disk", "status": "critical"}) == 1
    assert value("mediawatch_health_check_status", {"component": "disk", "status": "warning"}) == 0
    assert (
        value("mediawatch_health_check_status", {"component": "ffmpeg", "status": "healthy"}) == 1
    )
    labels = {"component": "disk", "status": "warning"}
    assert value("mediawatch_health_check_results_total", labels) == 1
    labels = {"component": "ffmpeg", "status": "healthy"}
    assert value("mediawatch_health_check_results_total", labels) == 2
    assert value("mediawatch_health_check_duration_seconds", {"component": "ffmpeg"}) == 0.12
    assert value("mediawatch_health_reports_total", {"outcome": "published"}) == 1
    assert value("mediawatch_health_reports_total", {"outcome": "failed"}) == 1


def test_the_resources_check_sets_the_host_gauges_as_ratios() -> None:
    registry = CollectorRegistry()
    metrics = HealthMetrics(registry)
    figures = {"cpu_usage_percent": 91.5, "memory_usage_percent": 40.0, "disk_usage_percent": 7}
    resources = CheckResult("system_resources", "warning", "System resources high", figures)
    report = HealthReport(datetime(2026, 12, 1, tzinfo=UTC), 5.0, (resources,))
    metrics.reported(report, published=True, host="worker-1")
    value = registry.get_sample_value
    assert value("mediawatch_host_cpu_usage_ratio", {"host": "worker-1"}) == 0.915
    assert value("mediawatch_host_memory_usage_ratio", {"host": "worker-1"}) == 0.4
    assert value("mediawatch_host_disk_usage_ratio", {"host": "worker-1"}) == 0.07
    assert value("mediawatch_host_cpu_usage_ratio", {"host": "worker-2"}) is None


def test_a_run_without_the_resources_check_leaves_the_host_gauges_unset() -> None:
    registry = CollectorRegistry()
    HealthMetrics(registry).reported(_report("healthy"), published=True, host="worker-1")
    cpu = registry.get_sample_value("mediawatch_host_cpu_usage_ratio", {"host": "worker-1"})
    assert cpu is None
