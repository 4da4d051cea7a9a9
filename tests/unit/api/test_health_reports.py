"""Merging this host's checks with every host's latest report (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_api.health import HostReport, merge
from mediawatch_common.health import CheckResult, HealthReport

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
OWN = HealthReport(NOW, 40.0, (CheckResult("postgresql", "healthy", "PostgreSQL reachable"),))


def _report(host: str, age: float, status: str = "healthy") -> HostReport:
    check = {"component": "ffmpeg", "status": status, "message": "m", "response_time_ms": 410.0}
    return HostReport(host, NOW - timedelta(seconds=age), status, 60.0, (check,))


def test_each_check_names_its_host_and_a_late_reporter_is_critical() -> None:
    doc = merge(OWN, "api-1", [_report("worker-2", 200), _report("worker-1", 30)], NOW, 3)

    assert [(c["host"], c["component"], c["status"]) for c in doc["checks"]] == [
        ("api-1", "postgresql", "healthy"),
        ("worker-1", "health_reporter", "healthy"),
        ("worker-1", "ffmpeg", "healthy"),
        ("worker-2", "health_reporter", "critical"),
        ("worker-2", "ffmpeg", "healthy"),
    ]
    assert doc["overall_status"] == "critical"
    assert doc["summary"] == {"total_checks": 5, "healthy": 4, "warning": 0, "critical": 1}
    assert doc["hosts"] == ["api-1", "worker-1", "worker-2"]
    assert (doc["timestamp"], doc["total_check_time_ms"]) == (NOW, 40.0)
    assert doc["checks"][2]["checked_at"] == NOW - timedelta(seconds=30)


def test_a_reporter_exactly_three_intervals_old_is_still_on_time() -> None:
    doc = merge(OWN, "api-1", [_report("worker-1", 180, "warning")], NOW, 3)

    assert doc["overall_status"] == "warning"
    assert doc["checks"][1]["status"] == "healthy"
