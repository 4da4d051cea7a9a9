"""Every built-in rule through the evaluator, with a manual clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from mediawatch_common.alerting import alert_json
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, ResourceSample, Stage

from .helpers import T0, at, completed, evaluator, health, requested, sample, started, window

pytestmark = pytest.mark.unit


def reading(field: str, value: float) -> ResourceSample:
    """A sample with ``field`` (cpu, memory or disk) at ``value``."""
    levels: dict[str, Any] = {field: value}
    return sample(**levels)


def raised(events: Sequence[object]) -> list[AlertRaised]:
    return [e for e in events if isinstance(e, AlertRaised)]


def test_failed_stage_is_an_error_alert_in_the_seed_shape() -> None:
    ev, clock = evaluator()
    clock.set(at(60))

    (alert,) = raised(ev.handle(completed(success=False, duration=45.2)))

    assert alert.rule == "processing_failed"
    assert alert.labels == {
        "session_id": "video_session_123",
        "stage": "merging",
        "host": "worker-1",
    }
    shown = alert_json(alert)
    assert shown == {
        "id": f"alert_{int(at(60).timestamp())}_1",
        "level": "error",
        "title": "Processing Failed: merging",
        "message": "Session video_session_123 failed at merging: FFmpeg process failed",
        "timestamp": "2026-01-05T12:00:00Z",
        "session_id": "video_session_123",
        "user_id": "user_456",
        "stage": "merging",
        "metadata": {
            "error_code": "FFMPEG_FAILED",
            "duration_seconds": 45.2,
            "memory_usage_mb": 512.3,
            "attempt": 1,
        },
    }


def test_same_failure_twice_is_one_alert_and_a_successful_retry_resolves_it() -> None:
    ev, _ = evaluator()

    first = ev.handle(completed(success=False))
    second = ev.handle(completed(success=False, t=1))
    retry = ev.handle(completed(success=True, t=2))

    assert len(raised(first)) == 1
    assert raised(second) == []
    assert [type(e) for e in retry] == [AlertResolved]


def test_failure_alert_resolves_after_its_ttl() -> None:
    ev, clock = evaluator(event_alert_ttl_seconds=600)
    ev.handle(completed(success=False))

    clock.advance(599)
    assert ev.tick() == []
    clock.advance(1)
    assert [type(e) for e in ev.tick()] == [AlertResolved]


def test_slow_stage_warns_above_the_processing_time_threshold() -> None:
    ev, _ = evaluator()

    assert raised(ev.handle(completed(duration=300.0))) == []
    (alert,) = raised(ev.handle(completed(session="s2", duration=412.5)))

    assert alert.rule == "slow_stage"
    assert alert.level is AlertLevel.WARNING
    assert alert.title == "Slow Processing: merging"
    assert alert.message == "Session s2 took 412.5s at merging (threshold 300s)"


def test_stuck_session_fires_on_the_clock_alone_and_resolves_when_it_finishes() -> None:
    ev, clock = evaluator()
    ev.handle(started(t=0))
    ev.handle(completed(stage=Stage.UPLOAD, t=10))

    clock.set(at(30 * 60))
    assert raised(ev.tick()) == []  # exactly the limit is not more than it
    clock.advance(1)
    (alert,) = raised(ev.tick())
    assert alert.rule == "stuck_session"
    assert alert.session_id == "video_session_123"
    assert alert.starts_at == at(30 * 60)
    assert raised(ev.tick()) == []

    assert ev.handle(completed(stage=Stage.ANALYSIS, t=2000)) == []  # progress is not the end
    events = ev.handle(completed(stage=Stage.CLEANUP, t=2100))
    assert [type(e) for e in events] == [AlertResolved]
    assert events[0].reason == "session finished"  # type: ignore[union-attr]


def test_a_busy_session_is_stuck_once_it_runs_longer_than_the_limit() -> None:
    ev, clock = evaluator()
    ev.handle(started(t=0))
    for minute in range(1, 40):  # a stage completes every minute
        ev.handle(completed(stage=Stage.ANALYSIS, t=minute * 60))
        clock.set(at(minute * 60))
        fired = raised(ev.tick())
        assert (len(fired) == 1) is (minute == 31), minute
        if fired:
            assert fired[0].metadata["minutes_without_progress"] == 0.0


def test_the_request_starts_the_clock() -> None:
    ev, clock = evaluator()
    ev.handle(requested(t=0))
    ev.handle(started(t=20 * 60))  # waited 20 minutes for a worker

    clock.set(at(30 * 60 + 1))
    (alert,) = raised(ev.tick())
    assert alert.metadata["elapsed_seconds"] == 30 * 60 + 1


def test_finished_or_failed_sessions_are_not_stuck() -> None:
    ev, clock = evaluator()
    ev.handle(started(session="done"))
    ev.handle(completed(session="done", stage=Stage.CLEANUP))
    ev.handle(started(session="failed"))
    ev.handle(completed(session="failed", stage=Stage.MERGING, success=False))

    clock.set(at(3 * 3600))
    assert [a.rule for a in raised(ev.tick())] == []


def test_stuck_rule_waits_while_not_live() -> None:
    ev, clock = evaluator()
    ev.handle(started())
    ev.set_live(False)
    clock.set(at(7200))

    assert ev.tick() == []
    ev.set_live(True)
    assert len(raised(ev.tick())) == 1


def test_error_rate_fires_above_threshold_with_hysteresis() -> None:
    ev, _ = evaluator()

    assert raised(ev.handle(window(0.10, start=0))) == []
    (alert,) = raised(ev.handle(window(0.15, start=60)))
    assert alert.rule == "high_error_rate"
    assert alert.level is AlertLevel.ERROR
    assert alert.labels["stage"] == "merging"
    assert alert.labels["window"] == "60s"
    assert "15.0%" in alert.message
    assert ev.handle(window(0.09, start=120)) == []
    assert [type(e) for e in ev.handle(window(0.05, start=180))] == [AlertResolved]


def test_error_rate_ignores_small_and_outdated_windows() -> None:
    ev, _ = evaluator()

    assert ev.handle(window(1.0, attempts=2, start=0)) == []
    ev.handle(window(0.0, start=120))
    assert ev.handle(window(0.9, start=60)) == []


def test_error_rate_alert_resolves_on_an_idle_pipeline() -> None:
    ev, clock = evaluator()
    ev.handle(window(0.5))

    clock.advance(119)
    assert ev.tick() == []
    clock.advance(1)
    assert [type(e) for e in ev.tick()] == [AlertResolved]


@pytest.mark.parametrize(
    ("field", "rule", "warning_at"),
    [("cpu", "high_cpu", 80.0), ("memory", "high_memory", 80.0), ("disk", "high_disk", 90.0)],
)
def test_resource_warning_then_critical_then_clear_with_hysteresis(
    field: str, rule: str, warning_at: float
) -> None:
    ev, _ = evaluator()

    assert ev.handle(reading(field, warning_at)) == []
    (warning,) = raised(ev.handle(reading(field, warning_at + 0.5)))
    assert warning.rule == rule
    assert warning.level is AlertLevel.WARNING
    assert ev.handle(reading(field, warning_at - 2)) == []
    critical = ev.handle(reading(field, 96.0))
    assert [type(e) for e in critical] == [AlertResolved, AlertRaised]
    assert raised(critical)[0].level is AlertLevel.CRITICAL
    assert ev.handle(reading(field, 94.0)) == []
    assert [type(e) for e in ev.handle(reading(field, 10.0))] == [AlertResolved]


def test_resource_alert_waits_for_its_for_duration() -> None:
    ev, clock = evaluator(resource_for_seconds=60)

    assert ev.handle(sample(cpu=99.0)) == []
    clock.advance(30)
    assert ev.handle(sample(cpu=99.0)) == []
    clock.advance(30)
    (alert,) = raised(ev.tick())
    assert alert.level is AlertLevel.CRITICAL


@pytest.mark.parametrize(
    ("component", "status", "rule", "level"),
    [
        ("ffmpeg", "critical", "ffmpeg_unavailable", AlertLevel.CRITICAL),
        ("storage", "critical", "storage_unreachable", AlertLevel.CRITICAL),
        ("storage", "warning", "storage_unreachable", AlertLevel.WARNING),
        ("log_files", "critical", "log_file_problem", AlertLevel.WARNING),
    ],
)
def test_health_components(component: str, status: str, rule: str, level: AlertLevel) -> None:
    ev, _ = evaluator()

    (alert,) = raised(ev.handle(health(component, status, message="ffmpeg not found")))

    assert (alert.rule, alert.level, alert.labels) == (rule, level, {"host": "worker-1"})
    assert alert.message == "ffmpeg not found"
    assert [type(e) for e in ev.handle(health(component, "healthy"))] == [AlertResolved]


def test_ffmpeg_down_suppresses_that_hosts_stage_failures() -> None:
    ev, _ = evaluator()
    ev.handle(health("ffmpeg", "critical"))

    assert raised(ev.handle(completed(success=False))) == []
    assert len(raised(ev.handle(completed(session="s2", success=False, host="worker-2")))) == 1


def test_restored_evaluator_does_not_reannounce() -> None:
    ev, clock = evaluator()
    history = ev.handle(completed(success=False)) + ev.handle(sample(disk=99.0))

    again, _ = evaluator(clock)
    assert again.restore(history) == 2
    assert again.handle(completed(success=False)) == []
    assert again.handle(sample(disk=99.0)) == []
    assert clock.now() == T0
