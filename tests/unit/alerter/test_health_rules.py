"""Health alerts hold until the check passes; a silent reporter raises its own alert."""

from __future__ import annotations

import pytest

from mediawatch_alerter.evaluator import Output
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, HealthChecked

from .helpers import evaluator, health

pytestmark = pytest.mark.unit


def _raised(events: list[Output]) -> list[AlertRaised]:
    return [e for e in events if isinstance(e, AlertRaised)]


def _resolved(events: list[Output]) -> list[AlertResolved]:
    return [e for e in events if isinstance(e, AlertResolved)]


def test_a_periodic_reports_alert_holds_without_timeout_until_the_check_passes() -> None:
    ev, clock = evaluator(stale_after_seconds=300)
    (alert,) = _raised(ev.handle(health("ffmpeg", "critical", interval=60)))
    assert (alert.rule, alert.level) == ("ffmpeg_unavailable", AlertLevel.CRITICAL)

    for minute in range(1, 60):
        clock.advance(60)
        assert not _resolved(ev.handle(health("ffmpeg", "critical", t=minute * 60, interval=60)))
        assert not _resolved(ev.tick())

    (done,) = _resolved(ev.handle(health("ffmpeg", "healthy", t=3600, interval=60)))
    assert done.fingerprint == alert.fingerprint


def test_an_on_demand_reports_alert_still_expires() -> None:
    ev, clock = evaluator(stale_after_seconds=300)
    _raised(ev.handle(health("storage", "critical")))

    clock.advance(301)

    assert [e.rule for e in _resolved(ev.tick())] == ["storage_unreachable"]


def test_temp_directory_problems_are_host_alerts() -> None:
    ev, _ = evaluator()

    (alert,) = _raised(ev.handle(health("temp_directory", "warning", interval=60)))

    assert (alert.rule, alert.level, alert.labels) == (
        "temp_directory_problem",
        AlertLevel.WARNING,
        {"host": "worker-1"},
    )


def test_a_host_silent_for_three_intervals_raises_reporter_missing_until_it_reports() -> None:
    ev, clock = evaluator(missed_reports=3)
    ev.handle(health("ffmpeg", "critical", interval=10))
    ev.handle(health("ffmpeg", "healthy", host="worker-2", interval=10))

    clock.advance(29)
    assert _raised(ev.tick()) == []
    ev.handle(health("ffmpeg", "healthy", host="worker-2", t=29, interval=10))
    clock.advance(2)
    (missing,) = _raised(ev.tick())

    assert (missing.rule, missing.level, missing.labels) == (
        "health_reporter_missing",
        AlertLevel.ERROR,
        {"host": "worker-1"},
    )
    assert "worker-1" in missing.message
    clock.advance(600)
    assert _resolved(ev.tick()) == [], "the host's ffmpeg alert must not resolve by silence"
    firing = {a.rule for a in ev.book.firing()}
    assert firing == {"ffmpeg_unavailable", "health_reporter_missing"}

    back = ev.handle(health("ffmpeg", "healthy", t=631, interval=10))
    assert {e.rule for e in _resolved(back)} == {"ffmpeg_unavailable", "health_reporter_missing"}


def test_reporter_missing_waits_while_the_alerter_catches_up() -> None:
    ev, clock = evaluator()
    ev.handle(health("ffmpeg", "healthy", interval=10))
    ev.set_live(False)
    clock.advance(100)

    assert _raised(ev.tick()) == []
    ev.set_live(True)
    assert [a.rule for a in _raised(ev.tick())] == ["health_reporter_missing"]


def test_reports_run_on_demand_arm_no_dead_mans_switch() -> None:
    ev, clock = evaluator()
    ev.handle(health("ffmpeg", "healthy"))
    clock.advance(3600)

    assert _raised(ev.tick()) == []


def _lag(t: float, **lags: int) -> HealthChecked:
    details = {"threshold": 100, "groups": len(lags), **{f"lag.{g}": n for g, n in lags.items()}}
    status = "warning" if any(n > 100 for n in lags.values()) else "healthy"
    return health("consumer_lag", status, t=t, interval=60, details=details)


def test_consumer_lag_high_per_group_resolves_under_the_threshold() -> None:
    ev, _ = evaluator()

    (alert,) = _raised(ev.handle(_lag(0, alerter=250, projector=3)))
    assert (alert.rule, alert.level, alert.labels) == (
        "consumer_lag_high",
        AlertLevel.WARNING,
        {"group": "alerter", "host": "worker-1"},
    )
    assert alert.message == "Consumer group alerter is 250 messages behind (threshold 100)"
    assert _raised(ev.handle(_lag(60, alerter=180, projector=3))) == []
    (done,) = _resolved(ev.handle(_lag(120, alerter=100, projector=3)))
    assert done.fingerprint == alert.fingerprint


def test_consumer_lag_of_a_group_that_disappears_resolves() -> None:
    ev, _ = evaluator()
    _raised(ev.handle(_lag(0, old=500)))

    (done,) = _resolved(ev.handle(_lag(60, projector=3)))

    assert done.rule == "consumer_lag_high"


def test_a_host_recalled_at_start_is_watched_without_a_live_report() -> None:
    ev, clock = evaluator(missed_reports=3)

    assert ev.recall([health("ffmpeg", "healthy", host="worker-3", interval=10)]) == 1
    clock.advance(31)

    assert [a.labels["host"] for a in _raised(ev.tick())] == ["worker-3"]
