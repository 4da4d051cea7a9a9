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
    metrics.reported(_report("warning"), published=True)
    metrics.reported(_report("critical"), published=False)
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
