"""Backtests: the alerter's evaluator over a hand-made history, the event times as the clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from mediawatch_alerter.backtest import (
    in_event_time_order,
    report_json,
    report_tables,
    run_backtest,
)
from mediawatch_alerter.backtest.render import duration
from mediawatch_alerter.rules import parse_rules
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.events import Event, Stage
from mediawatch_common.kafka import Record
from mediawatch_common.settings import MonitoringSettings

from .helpers import ME, T0, at, completed, sample, started

pytestmark = pytest.mark.unit

SETTINGS = AlerterSettings.model_validate(
    {"tick_seconds": 5, "event_alert_ttl_seconds": 600, "resource_for_seconds": 60}
)


def failure_burst() -> list[Event]:
    """Five sessions fail at merging 10 s apart; a sixth gets through to its last stage."""
    events: list[Event] = []
    for n in range(5):
        t = 100.0 + 10 * n
        events += [started(f"s{n}", Stage.MERGING, t=t - 5), completed(f"s{n}", success=False, t=t)]
    events += [started("ok", Stage.CLEANUP, t=150), completed("ok", Stage.CLEANUP, t=155)]
    return events


def backtest(events: Sequence[Event], rules: str | None = None, end: float = 3600.0, **kw: object):
    settings = AlerterSettings.model_validate({**SETTINGS.model_dump(), **kw})
    return run_backtest(
        sorted(events, key=lambda e: e.event_time),
        MonitoringSettings(),
        settings,
        parse_rules(rules) if rules else None,
        start=T0,
        end=at(end),
        identity=ME,
    )


def test_failure_burst_fires_one_alert_per_session_at_the_failure_times() -> None:
    report = backtest(failure_burst())

    assert [(a.rule, a.fingerprint, a.fired_at) for a in report.alerts] == [
        (
            "processing_failed",
            f"processing_failed{{session_id=s{n},stage=merging}}",
            at(100 + 10 * n),
        )
        for n in range(5)
    ]
    # The replay clock moves on after the last event: each alert expires after the TTL.
    assert [a.resolved_at for a in report.alerts] == [at(700 + 10 * n) for n in range(5)]
    assert {a.resolve_reason for a in report.alerts} == {"no longer observed"}
    (summary,) = report.rules
    assert (summary.rule, summary.count, summary.fingerprints) == ("processing_failed", 5, 5)
    assert (summary.first, summary.last) == (at(100), at(140))
    assert summary.firing_seconds == 5 * 600


def test_ids_follow_the_replay_clock_not_the_wall_clock() -> None:
    report = backtest(failure_burst())

    epoch = int(at(100).timestamp())
    assert report.alerts[0].alert_id == f"alert_{epoch}_1"


def test_a_retry_that_succeeds_resolves_at_its_event_time() -> None:
    events = [completed("s1", success=False, t=10), completed("s1", success=True, t=70)]

    (alert,) = backtest(events).alerts

    assert (alert.fired_at, alert.resolved_at, alert.firing_seconds(at(3600))) == (
        at(10),
        at(70),
        60.0,
    )


def test_time_alone_fires_stuck_sessions_between_events() -> None:
    # Nothing happens after the session starts; the replay clock's ticks find it stuck.
    report = backtest([started("hung", t=0)], end=2000)

    (alert,) = report.alerts
    assert alert.rule == "stuck_session"
    # 30 minutes is the guide's default; the first 5 s tick past it fires.
    assert alert.fired_at == at(1805)
    assert alert.resolved_at is None
    assert alert.firing_seconds(at(2000)) == 195


def test_for_duration_and_hysteresis_in_event_time() -> None:
    samples = [sample(cpu=90, t=t) for t in (0, 30, 55)] + [
        sample(cpu=78, t=90),  # under the threshold but above its clear line: still firing
        sample(cpu=50, t=120),
    ]

    (alert,) = backtest(samples, end=600).alerts

    assert (alert.rule, alert.fired_at, alert.resolved_at) == ("high_cpu", at(60), at(120))


def test_without_an_end_the_replay_stops_at_the_last_event() -> None:
    report = run_backtest(
        failure_burst(), MonitoringSettings(), SETTINGS, start=None, end=None, identity=ME
    )

    assert report.start == at(95)
    assert report.end == at(155)
    assert all(a.resolved_at is None for a in report.alerts)
    assert report.rules[0].firing_seconds == sum(155 - (100 + 10 * n) for n in range(5))


SLOW_MERGING = """
disable: [processing_failed, slow_stage]
rules:
  - name: slow_merging
    event: StageCompleted
    field: duration_seconds
    where: {{stage: merging}}
    labels: [session_id]
    levels:
      warning: {{above: {limit}}}
    title: "Slow merge"
    message: "{{session_id}} took {{value:.0f}}s"
"""


def merges(durations: list[float]) -> list[Event]:
    return [completed(f"m{n}", duration=d, t=60.0 * (n + 1)) for n, d in enumerate(durations)]


def test_a_higher_threshold_in_the_rules_file_fires_less_often() -> None:
    history = merges([50, 70, 90, 120, 30, 101])

    low = backtest(history, SLOW_MERGING.format(limit=60))
    high = backtest(history, SLOW_MERGING.format(limit=100))

    assert [a.fingerprint for a in low.alerts] == [
        f"slow_merging{{session_id=m{n}}}" for n in (1, 2, 3, 5)
    ]
    assert [a.fingerprint for a in high.alerts] == [
        "slow_merging{session_id=m3}",
        "slow_merging{session_id=m5}",
    ]
    assert {r.rule: r.count for r in low.rules} == {"slow_merging": 4}
    assert {r.rule: r.count for r in high.rules} == {"slow_merging": 2}


def test_monitoring_thresholds_apply_to_the_built_in_rules() -> None:
    history = merges([200, 400, 700])

    def slow(limit: int) -> int:
        report = run_backtest(
            history,
            MonitoringSettings(processing_time_threshold=limit),
            SETTINGS,
            start=T0,
            end=at(600),
            identity=ME,
        )
        return sum(1 for a in report.alerts if a.rule == "slow_stage")

    assert (slow(150), slow(300), slow(600)) == (3, 2, 1)


def test_records_of_several_topics_merge_in_event_time_order() -> None:
    late, early, middle = completed("a", t=30), sample(t=10), started("b", t=20)
    records: list[Record[Event]] = [
        Record("pipeline", 0, 0, None, 0, late),
        Record("resources", 0, 5, None, 0, early),
        Record("pipeline", 1, 3, None, 0, middle),
    ]

    assert in_event_time_order(records) == [early, middle, late]


def test_json_and_tables_carry_the_counts() -> None:
    report = backtest(failure_burst())

    doc = report_json(report)
    assert doc["events"] == 12
    assert doc["rules"] == [
        {
            "rule": "processing_failed",
            "count": 5,
            "fingerprints": 5,
            "first": "2026-01-05T12:01:40Z",
            "last": "2026-01-05T12:02:20Z",
            "firing_seconds": 3000.0,
        }
    ]
    assert [a["fired_at"] for a in doc["alerts"]][:2] == [
        "2026-01-05T12:01:40Z",
        "2026-01-05T12:01:50Z",
    ]
    assert doc["alerts"][0]["resolve_reason"] == "no longer observed"

    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(report_tables(report))
    text = console.export_text()
    assert "processing_failed{session_id=s4,stage=merging}" in text
    assert "10m 00s" in text  # each alert's firing time
    assert "50m 00s" in text  # the rule's total


def test_an_empty_history_reports_nothing() -> None:
    report = run_backtest([], MonitoringSettings(), SETTINGS, identity=ME)

    assert (report.events, report.alerts, report.rules) == (0, (), ())
    assert report_json(report)["alerts"] == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59.6, "1m 00s"), (3599, "59m 59s"), (3660, "1h 01m"), (90000, "1d 01h")],
)
def test_durations_read_at_a_glance(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_clock_never_moves_backwards_for_a_late_event() -> None:
    events = [completed("s1", success=False, t=100), completed("s2", success=False, t=50)]

    report = run_backtest(events, MonitoringSettings(), SETTINGS, start=T0, identity=ME)

    assert [a.fired_at for a in report.alerts] == [at(100), at(100)]
    assert report.end == at(100)
    assert report.end is not None
    assert report.start is not None
    assert report.end - report.start == timedelta(seconds=100)
