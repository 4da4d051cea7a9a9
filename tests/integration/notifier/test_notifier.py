"""The notifier against the real broker and a real HTTP receiver."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    AlertLevel,
    AlertRaised,
    Producer,
    Stage,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings
from mediawatch_notifier.settings import SinkType

from ..alerter.running import alert_events, background
from ..helpers import wait_for
from .receiver import Receiver, Reply
from .running import notifier

pytestmark = pytest.mark.integration


def raise_alert(settings: Settings, topics: Topics, n: int = 1) -> AlertRaised:
    alert = AlertRaised(
        producer=Producer(service="test", host="worker-1", pid=1),
        alert_id=f"alert_1700000000_{n}",
        fingerprint=f"processing_failed{{session_id=s{n},stage=merging}}",
        rule="processing_failed",
        level=AlertLevel.ERROR,
        title="Processing Failed: merging",
        message=f"Session s{n} failed at merging: FFmpeg process failed",
        session_id=f"s{n}",
        user_id="user_456",
        stage=Stage.MERGING,
        labels={"session_id": f"s{n}", "stage": "merging", "host": "worker-1"},
        metadata={
            "error_code": "FFMPEG_FAILED",
            "duration_seconds": 45.2,
            "memory_usage_mb": 512.3,
        },
        starts_at=datetime.now(UTC),
    )
    producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test"))
    producer.send(topics.alerts.name, encode_event(alert), key=alert.fingerprint)
    return alert


def test_sink_answering_500_three_times_gets_the_alert_once_after_recovery(
    isolated: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = isolated
    receiver.script("/hook", Reply(500), Reply(500), Reply(500))
    alert = raise_alert(settings, topics)

    with background(notifier(settings, {"team": ("webhook", receiver.url("/hook"))})):
        assert wait_for(lambda: receiver.at("/hook", 200), timeout=20)
        events = alert_events(settings, topics, 5)

    accepted = receiver.at("/hook", 200)
    assert [r.status for r in receiver.at("/hook")] == [500, 500, 500, 200]
    assert len(accepted) == 1
    body = accepted[0].json()
    assert [a["id"] for a in body["alerts"]] == [alert.alert_id]
    assert accepted[0].headers["X-Mediawatch-Signature"].startswith("sha256=")
    failed = [e for e in events if isinstance(e, AlertDeliveryFailed)]
    delivered = [e for e in events if isinstance(e, AlertDelivered)]
    assert [(f.attempt, f.http_status, f.final) for f in failed] == [
        (1, 500, False),
        (2, 500, False),
        (3, 500, False),
    ]
    assert [(d.attempt, d.http_status, d.alert_ids) for d in delivered] == [
        (4, 200, (alert.alert_id,))
    ]


def test_429_retry_after_is_honoured_and_4xx_is_not_retried(
    isolated: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = isolated
    receiver.script("/slow", Reply(429, {"Retry-After": "1"}))
    receiver.script("/gone", Reply(404))
    raise_alert(settings, topics)

    sinks: dict[str, tuple[SinkType, str]] = {
        "slack": ("slack", receiver.url("/slow")),
        "dead": ("discord", receiver.url("/gone")),
    }
    with background(notifier(settings, sinks)):
        assert wait_for(lambda: receiver.at("/slow", 200), timeout=20)
        events = alert_events(settings, topics, 4)

    first, second = receiver.at("/slow")
    assert second.at - first.at >= 0.9
    assert second.json()["text"].startswith("[FIRING:1] Processing Failed: merging")
    assert len(receiver.at("/gone")) == 1
    failed = {e.sink: e for e in events if isinstance(e, AlertDeliveryFailed)}
    assert failed["slack"].retry_in_seconds == 1.0
    assert failed["dead"].final is True
    assert failed["dead"].http_status == 404


def test_hanging_sink_times_out_while_another_still_receives(
    isolated: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = isolated
    receiver.script("/hang", Reply(200, delay=5.0))
    raise_alert(settings, topics)

    sinks: dict[str, tuple[SinkType, str]] = {
        "hanging": ("teams", receiver.url("/hang")),
        "fine": ("slack", receiver.url("/fine")),
    }
    service = notifier(settings, sinks, timeout_seconds=1.0, max_attempts=1)
    with background(service):
        assert wait_for(lambda: receiver.at("/fine"), timeout=20)
        fine_at = receiver.at("/fine")[0].at
        events = alert_events(settings, topics, 3, timeout=10)

    failed = [e for e in events if isinstance(e, AlertDeliveryFailed)]
    assert [(f.sink, f.error, f.final) for f in failed] == [("hanging", "timeout after 1.0s", True)]
    assert [e.sink for e in events if isinstance(e, AlertDelivered)] == ["fine"]
    assert receiver.at("/hang") == [] or receiver.at("/hang")[0].at > fine_at
