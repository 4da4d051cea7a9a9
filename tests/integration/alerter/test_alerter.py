"""The alerter and notifier together against the real broker and an HTTP receiver."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    ErrorCode,
    Producer,
    ResourceSample,
    Stage,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings

from ..helpers import wait_for
from ..notifier.receiver import Receiver
from ..notifier.running import notifier
from .running import alert_events, alerter, background

pytestmark = pytest.mark.integration

WORKER = Producer(service="transcoder", host="worker-1", pid=7)


def produce_broken_session(settings: Settings, topics: Topics, session: str) -> None:
    failure = StageOutcome(Stage.MERGING, ErrorCode.FFMPEG_FAILED, "FFmpeg process failed")
    start = datetime.now(UTC) - timedelta(minutes=1)
    producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test"))
    for event in synthetic_session(session, "user_789", start, WORKER, failure=failure):
        topic = topics.resources.name if isinstance(event, ResourceSample) else topics.pipeline.name
        producer.produce(topic, encode_event(event), key=session)
    producer.flush()


def test_failed_stage_reaches_the_receiver_once(
    isolated: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = isolated
    produce_broken_session(settings, topics, "video_session_bad")

    with (
        background(alerter(settings)),
        background(notifier(settings, {"hook": ("webhook", receiver.url("/hook"))})),
    ):
        assert wait_for(lambda: receiver.at("/hook"), timeout=30)
        time.sleep(1.5)

    (request,) = receiver.at("/hook")
    (alert,) = request.json()["alerts"]
    assert alert["title"] == "Processing Failed: merging"
    assert alert["message"] == "Session video_session_bad failed at merging: FFmpeg process failed"
    assert alert["level"] == "error"
    assert alert["status"] == "firing"
    assert alert["id"].startswith("alert_")
    assert alert["session_id"] == "video_session_bad"
    assert alert["user_id"] == "user_789"
    assert alert["stage"] == "merging"
    assert alert["metadata"]["error_code"] == "FFMPEG_FAILED"
    assert set(alert["metadata"]) >= {"duration_seconds", "memory_usage_mb"}


def test_restarted_alerter_does_not_resend_firing_alerts(isolated: tuple[Settings, Topics]) -> None:
    settings, topics = isolated
    produce_broken_session(settings, topics, "video_session_bad")

    first = alerter(settings, group="first")
    with background(first):
        assert wait_for(lambda: first.published >= 1, timeout=30)
    # A new consumer group reads the whole pipeline again, as after a lost offset.
    second = alerter(settings, group="second")
    with background(second):
        assert wait_for(lambda: second.loop.processed >= 12, timeout=30)
        second.tick()

    raised = [e for e in alert_events(settings, topics, 5, timeout=3) if isinstance(e, AlertRaised)]
    assert [a.rule for a in raised] == ["processing_failed"]
    assert second.published == 0
    assert [a.alert_id for a in second.evaluator.book.firing()] == [raised[0].alert_id]


def test_rebuild_knows_resolved_alerts_and_continues_ids(isolated: tuple[Settings, Topics]) -> None:
    settings, topics = isolated
    produce_broken_session(settings, topics, "s1")
    first = alerter(settings, group="first", event_alert_ttl_seconds=0.5)
    with background(first):
        assert wait_for(lambda: first.published >= 2, timeout=30)

    events = alert_events(settings, topics, 2)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    second = alerter(settings, group="second")
    assert second.rebuild() == 2
    assert second.evaluator.book.firing() == []


def test_alerting_demo_prints_the_alert_the_receiver_got(settings: Settings) -> None:
    from click.testing import CliRunner

    from mediawatch_alerting_demo.cli import alerting_demo

    result = CliRunner().invoke(alerting_demo, ["--timeout", "30"], obj=settings)

    assert result.exit_code == 0, result.output
    assert "Processing Failed: merging" in result.output
    assert "HMAC signature ok" in result.output
    retry = re.search(r"HTTP 503, retry in (\d+\.\d\d)s", result.output)
    assert retry is not None, result.output
    assert 0.0 <= float(retry.group(1)) <= 0.5  # full jitter below the demo's 0.5 s ceiling
