"""Health statuses and the refusal to run with a default JWT secret."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mediawatch_api.health import HealthRunner
from mediawatch_api.settings import DEVELOPMENT_SECRET, ApiSettings, jwt_secret
from mediawatch_common.health import (
    CheckResult,
    check_ffmpeg,
    check_temp_directory,
    flatten,
    level_of,
    summary,
    worst,
)
from mediawatch_common.settings import MonitoringSettings, SettingsError

pytestmark = pytest.mark.unit


def test_thresholds_warning_at_80_critical_at_95() -> None:
    assert [level_of(p, 80, 95) for p in (79.9, 80, 94.9, 95)] == [
        "healthy",
        "warning",
        "warning",
        "critical",
    ]
    assert worst(["healthy", "critical", "warning"]) == "critical"
    assert summary([CheckResult("a", "healthy", ""), CheckResult("b", "warning", "")]) == {
        "total_checks": 2,
        "healthy": 1,
        "warning": 1,
        "critical": 0,
    }


def test_flatten_nested_details_for_the_event() -> None:
    assert flatten({"a": 1, "w": {"h1": {"cpu": 2.0}}, "l": ["x", "y"]}) == {
        "a": 1,
        "w.h1.cpu": 2.0,
        "l": "x, y",
    }


def test_missing_ffmpeg_is_critical() -> None:
    result = check_ffmpeg("surely-not-an-ffmpeg-binary", 1.0)

    assert (result.status, result.details) == ("critical", {"available": False})


def test_old_temp_files_warn(tmp_path: Path) -> None:
    (tmp_path / "old.mp4").write_bytes(b"x" * 10)

    monitoring = MonitoringSettings(disk_threshold=100, critical_threshold=100)
    result = check_temp_directory(tmp_path, monitoring, now=time.time() + 2 * 86400)

    assert result.status == "warning"
    assert result.details["old_files"] == 1
    assert result.details["size_bytes"] == 10


def test_cached_report_until_the_duration_passes() -> None:
    now = [0.0]
    runner = HealthRunner(
        {"x": lambda: CheckResult("x", "warning", "slow")}, 1.0, 60, clock=lambda: now[0]
    )
    first, first_cached = runner.report()
    now[0] = 59.0
    second, second_cached = runner.report()
    now[0] = 61.0
    third, third_cached = runner.report()
    runner.close()

    assert first.overall_status == "warning"
    assert (first_cached, second_cached, third_cached) == (False, True, False)
    assert second is first
    assert third.checked_at > first.checked_at
    assert runner.runs == 2


def test_a_raising_check_is_critical_without_its_message() -> None:
    def boom() -> CheckResult:
        raise RuntimeError("password=hunter2")

    runner = HealthRunner({"db": boom}, 1.0, 0)
    report = runner.report()[0].as_json()
    runner.close()

    assert report["checks"][0]["status"] == "critical"
    assert "hunter2" not in str(report)


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET, "short"])
def test_production_refuses_a_default_or_weak_secret(secret: str | None) -> None:
    with pytest.raises(SettingsError, match="API_JWT_SECRET"):
        jwt_secret(ApiSettings(environment="production", jwt_secret=secret))


def test_development_may_use_the_built_in_secret() -> None:
    assert jwt_secret(ApiSettings(environment="development")) == DEVELOPMENT_SECRET
