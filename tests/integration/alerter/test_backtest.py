"""The backtest over a recorded history reports the alerts the live alerter raised for it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from mediawatch_alerter.backtest_command import backtest
from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    AlertRaised,
    ErrorCode,
    Event,
    HealthChecked,
    HealthCheckResult,
    Producer,
    ResourceSample,
    Stage,
    WindowAggregated,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings

from ..helpers import wait_for
from .running import alert_events, alerter, background

pytestmark = pytest.mark.integration

WORKER = Producer(service="transcoder", host="worker-1", pid=7)
BROKEN = {
    "burst_1": Stage.MERGING,
    "burst_2": Stage.MERGING,
    "burst_3": Stage.MERGING,
    "burst_4": Stage.COMPRESSION,
}


def merging_window(at: datetime) -> WindowAggregated:
    return WindowAggregated(
        event_time=at,
        producer=Producer(service="aggregator", host="agg-1", pid=3),
        window_start=at - timedelta(seconds=300),
        window_end=at,
        window_seconds=300,
        hop_seconds=60,
        stage=Stage.MERGING,
        attempts=6,
        successes=3,
        failures=3,
        error_rate=0.5,
        failures_by_code={"FFMPEG_FAILED": 3},
        duration_count=6,
        duration_sum_seconds=60.0,
        closed=True,
    )


def ffmpeg_down(at: datetime) -> HealthChecked:
    check = HealthCheckResult(
        component="ffmpeg", status="critical", message="ffmpeg not found", response_time_ms=2.0
    )
    producer = Producer(service="api", host="encoder-9", pid=4)
    return HealthChecked(
        event_time=at,
        producer=producer,
        host="encoder-9",
        overall_status="critical",
        checked_at=at,
        total_check_time_ms=2.0,
        checks=(check,),
    )


def record_history(settings: Settings, topics: Topics) -> int:
    """A failure burst: four sessions fail within two minutes, two succeed; the merging
    window's error rate is 50 %; ffmpeg is down on another host."""
    start = datetime.now(UTC) - timedelta(minutes=3)
    events: list[tuple[str, Event]] = []
    event: Event
    for n, name in enumerate([*BROKEN, "fine_1", "fine_2"]):
        stage = BROKEN.get(name)
        failure = StageOutcome(stage, ErrorCode.FFMPEG_FAILED, "FFmpeg failed") if stage else None
        begin = start + timedelta(seconds=15 * n)
        for event in synthetic_session(name, "user_1", begin, WORKER, failure=failure):
            role = "resources" if isinstance(event, ResourceSample) else "pipeline"
            events.append((role, event))
    events += [("windows", merging_window(start + timedelta(minutes=2)))]
    events += [("resources", ffmpeg_down(start + timedelta(minutes=2, seconds=30)))]
    producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test"))
    for role, event in events:
        stamp = int(event.event_time.timestamp() * 1000)
        producer.produce(getattr(topics, role).name, encode_event(event), timestamp_ms=stamp)
    producer.flush()
    return len(events)


def test_backtest_reports_the_alerts_the_live_alerter_raised(
    isolated: tuple[Settings, Topics],
) -> None:
    settings, topics = isolated
    recorded = record_history(settings, topics)

    live = alerter(settings)
    with background(live):
        assert wait_for(lambda: live.loop.processed >= recorded, timeout=30)
        live.tick()
    raised = [e for e in alert_events(settings, topics, 20, 3) if isinstance(e, AlertRaised)]
    expected = Counter((a.rule, a.fingerprint) for a in raised)

    result = CliRunner().invoke(backtest, ["--from", "@0", "--json"], obj=settings)

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    reported = Counter((a["rule"], a["fingerprint"]) for a in report["alerts"])
    assert reported == expected
    assert {r["rule"]: r["count"] for r in report["rules"]} == {
        "processing_failed": 4,
        "high_error_rate": 1,
        "ffmpeg_unavailable": 1,
    }
    assert report["events"] == recorded
    assert (
        expected[("processing_failed", "processing_failed{session_id=burst_4,stage=compression}")]
        == 1
    )


def test_backtest_table_leaves_out_the_rules_the_file_disables(
    isolated: tuple[Settings, Topics], tmp_path: Path
) -> None:
    settings, topics = isolated
    record_history(settings, topics)
    rules = tmp_path / "rules.yaml"
    rules.write_text("disable: [high_error_rate, ffmpeg_unavailable]\n")

    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        backtest, ["--from", "10m", "--rules", str(rules)], obj=settings
    )

    assert result.exit_code == 0, result.output
    assert "processing_failed{session_id=burst_4,stage=compression}" in result.output
    assert "high_error_rate" not in result.output
    assert "ffmpeg_unavailable" not in result.output
