"""The reporter's run: every check once, one event with host and interval, never raising."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from mediawatch_common.events import HealthChecked, Producer
from mediawatch_common.health import CheckResult, CheckRunner, check_log_files, judge_lags
from mediawatch_common.settings import LogSettings
from mediawatch_health_reporter import HealthReporter

pytestmark = pytest.mark.unit

WHO = Producer(service="health-reporter", host="worker-7", pid=1)


def _runner() -> CheckRunner:
    return CheckRunner(
        {
            "ffmpeg": lambda: CheckResult("ffmpeg", "critical", "ffmpeg not found on PATH"),
            "storage": lambda: CheckResult("storage", "healthy", "ok", {"nested": {"a": 1}}),
        },
        timeout=1.0,
    )


def test_one_run_publishes_one_event_of_the_host_with_its_interval() -> None:
    published: list[HealthChecked] = []
    reporter = HealthReporter(_runner(), published.append, WHO, interval=30.0)

    report = reporter.run_once()

    [event] = published
    assert (event.host, event.interval_seconds, event.overall_status) == (
        "worker-7",
        30.0,
        "critical",
    )
    assert [(c.component, c.status) for c in event.checks] == [
        ("ffmpeg", "critical"),
        ("storage", "healthy"),
    ]
    assert event.checks[1].details == {"nested.a": 1}
    assert report.overall_status == "critical"
    assert reporter.published == 1


def test_a_failed_publish_is_logged_and_the_next_run_goes_on() -> None:
    def refuse(_event: HealthChecked) -> None:
        raise RuntimeError("broker down")

    reporter = HealthReporter(_runner(), refuse, WHO, interval=30.0)

    reporter.run_once()
    reporter.run_once()

    assert reporter.published == 0


def test_run_reports_at_once_and_stops_on_request() -> None:
    published: list[HealthChecked] = []
    reporter = HealthReporter(_runner(), published.append, WHO, interval=3600.0)
    thread = threading.Thread(target=reporter.run)
    thread.start()
    deadline = time.monotonic() + 10
    while not published and time.monotonic() < deadline:
        time.sleep(0.01)
    reporter.stop()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert len(published) == 1


def test_a_check_past_the_timeout_is_critical() -> None:
    release = threading.Event()

    def hangs() -> CheckResult:
        release.wait(10)
        return CheckResult("storage", "healthy", "late")

    runner = CheckRunner({"storage": hangs}, timeout=0.05)
    report = runner.run()
    release.set()
    runner.close()

    assert report.results[0].status == "critical"
    assert "timed out" in report.results[0].message


def test_lag_above_the_threshold_warns_and_names_the_group() -> None:
    result = judge_lags({"mediawatch-alerter": 12, "mediawatch-projector": 3}, threshold=10)

    assert result.status == "warning"
    assert result.message == "Consumer lag above 10: mediawatch-alerter (12)"
    assert judge_lags({"g": 10}, threshold=10).status == "healthy"


def test_log_files_report_sizes_and_warn_when_one_does_not_rotate(tmp_path: Path) -> None:
    (tmp_path / "application.log").write_bytes(b"x" * 10)
    (tmp_path / "transcoder").mkdir()
    (tmp_path / "transcoder" / "errors.log").write_bytes(b"x" * 300)
    settings = LogSettings(dir=tmp_path, rotation_size=100)

    result = check_log_files(settings)

    assert result.status == "warning"
    assert result.details["sizes_bytes"] == {
        "application.log": 10,
        "transcoder/errors.log": 300,
    }
    assert "transcoder/errors.log" in result.message


def test_a_missing_log_directory_is_critical(tmp_path: Path) -> None:
    result = check_log_files(LogSettings(dir=tmp_path / "absent", rotation_size=100))

    assert (result.status, result.details["writable"]) == ("critical", False)
