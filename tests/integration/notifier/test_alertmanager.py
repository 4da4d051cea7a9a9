"""Our alerts in a real Alertmanager, and our webhook in Alertmanager's format."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    Stage,
    StageCompleted,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings
from mediawatch_notifier.alertmanager import fingerprint
from mediawatch_notifier.notifier_service import NotifierService
from mediawatch_notifier.routing import Route, Routing, Sink
from mediawatch_notifier.settings import NotifierSettings
from mediawatch_notifier.wiring import build_notifier

from ..alerter.running import alert_events, alerter, background
from ..alerter.test_alerter import WORKER, produce_broken_session
from ..helpers import wait_for
from . import alertmanager_shape as shape
from .alertmanager_process import alertmanager, free_port, get
from .receiver import Receiver
from .test_notifier import raise_alert

pytestmark = pytest.mark.integration

DASHBOARD = "http://dashboard.test:8000"
SESSION = "video_session_bad"


def am_notifier(settings: Settings, sinks: dict[str, Sink], **kw: Any) -> NotifierService:
    config = NotifierSettings.model_validate(
        {
            "backoff_initial_seconds": 0.05,
            "backoff_max_seconds": 0.2,
            "timeout_seconds": 2.0,
            "rate_limit_per_minute": 600,
            "group_id": f"{settings.kafka.topic_prefix}.notifier",
            "dashboard_url": DASHBOARD,
            **kw,
        }
    )
    everything = frozenset({"info", "warning", "error", "critical"})
    route = Route(name="all", levels=everything, sinks=tuple(sinks), group_wait_seconds=0)
    return build_notifier(settings, config, Routing(sinks, (route,)))


def alertmanager_sink(base: str, resend: float = 60.0) -> Sink:
    return Sink(
        "am", "alertmanager", SecretStr(f"{base}/api/v2/alerts"), resend_interval_seconds=resend
    )


def in_alertmanager(base: str, rule: str = "processing_failed") -> list[dict[str, Any]]:
    """The active alerts of one rule, from Alertmanager's API."""
    query = urllib.parse.urlencode({"filter": f'alertname="{rule}"'})
    alerts: list[dict[str, Any]] = get(f"{base}/api/v2/alerts?{query}")
    return alerts


def routed(webhook: Receiver, status: str) -> list[dict[str, Any]]:
    """Alertmanager's notifications about processing_failed with ``status``."""
    return [
        body
        for body in (r.json() for r in webhook.at("/am", 200))
        if body["commonLabels"].get("alertname") == "processing_failed" and body["status"] == status
    ]


def produce_merge_retry(settings: Settings, topics: Topics, session: str) -> None:
    """The failed merging stage succeeds on a second attempt: the rule resolves its alert."""
    now = datetime.now(UTC)
    retry = StageCompleted(
        event_time=now,
        producer=WORKER,
        session_id=session,
        user_id="user_789",
        stage=Stage.MERGING,
        attempt=2,
        started_at=now - timedelta(seconds=5),
        success=True,
        duration_seconds=5.0,
    )
    producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test"))
    producer.send(topics.pipeline.name, encode_event(retry), key=session)


@pytest.fixture
def am_webhook() -> Iterator[Receiver]:
    """Where the test's Alertmanager sends its notifications; bodies are checked on receipt."""
    server = Receiver(judge=shape.judge).start()
    yield server
    server.close()


def test_failed_stage_fires_in_alertmanager_and_resolves_there(
    isolated: tuple[Settings, Topics], am_webhook: Receiver, tmp_path: Path
) -> None:
    settings, topics = isolated
    with alertmanager(tmp_path, am_webhook.url("/am")) as am:
        produce_broken_session(settings, topics, SESSION)
        with (
            background(alerter(settings)),
            background(am_notifier(settings, {"am": alertmanager_sink(am)})),
        ):
            assert wait_for(lambda: in_alertmanager(am), timeout=30)
            (alert,) = in_alertmanager(am)
            assert wait_for(lambda: routed(am_webhook, "firing"), timeout=30)

            produce_merge_retry(settings, topics, SESSION)
            assert wait_for(lambda: not in_alertmanager(am), timeout=30)
            assert wait_for(lambda: routed(am_webhook, "resolved"), timeout=30)

    assert alert["labels"] == {
        "alertname": "processing_failed",
        "severity": "error",
        "session_id": SESSION,
        "stage": "merging",
        "host": "worker-1",
    }
    notes = alert["annotations"]
    assert notes["summary"] == "Processing Failed: merging"
    assert notes["description"] == f"Session {SESSION} failed at merging: FFmpeg process failed"
    assert notes["alert_id"].startswith("alert_")
    assert notes["error_code"] == "FFMPEG_FAILED"
    assert alert["generatorURL"] == f"{DASHBOARD}/sessions/{SESSION}"
    assert alert["status"]["state"] == "active"
    assert alert["fingerprint"] == fingerprint(alert["labels"])
    # Alertmanager routed it on, firing then resolved, in the shape our checker accepts.
    assert {r.status for r in am_webhook.at("/am")} == {200}
    firing, resolved = routed(am_webhook, "firing")[0], routed(am_webhook, "resolved")[0]
    assert firing["alerts"][0]["labels"] == alert["labels"]
    assert firing["alerts"][0]["fingerprint"] == alert["fingerprint"]
    assert firing["receiver"] == "test"
    assert resolved["alerts"][0]["labels"] == alert["labels"]
    assert resolved["alerts"][0]["status"] == "resolved"


def test_alert_raised_while_alertmanager_is_down_reaches_it_once_it_is_up(
    isolated: tuple[Settings, Topics], am_webhook: Receiver, receiver: Receiver, tmp_path: Path
) -> None:
    settings, topics = isolated
    port = free_port()  # nothing listens there until the Alertmanager starts
    sinks = {
        "am": alertmanager_sink(f"http://127.0.0.1:{port}", resend=1.0),
        "chat": Sink("chat", "slack", SecretStr(receiver.url("/chat"))),
    }
    alert = raise_alert(settings, topics)

    with background(am_notifier(settings, sinks, max_attempts=2)):
        assert wait_for(lambda: receiver.at("/chat", 200), timeout=20)
        events = alert_events(settings, topics, 6, timeout=10)
        with alertmanager(tmp_path, am_webhook.url("/am"), port=port) as am:
            assert wait_for(lambda: in_alertmanager(am), timeout=30)
            (pushed,) = in_alertmanager(am)

    failed = [e for e in events if isinstance(e, AlertDeliveryFailed) and e.sink == "am"]
    assert any(e.final for e in failed)
    assert [e.sink for e in events if isinstance(e, AlertDelivered)] == ["chat"]
    assert pushed["labels"]["session_id"] == "s1"
    assert pushed["annotations"]["alert_id"] == alert.alert_id


def test_webhook_in_alertmanager_format_is_accepted_by_an_alertmanager_receiver(
    isolated: tuple[Settings, Topics],
) -> None:
    settings, topics = isolated
    bridge = Receiver(judge=shape.judge).start()
    sinks = {
        "bridge": Sink(
            "bridge", "webhook", SecretStr(bridge.url("/am")), SecretStr("k"), format="alertmanager"
        ),
        "plain": Sink("plain", "webhook", SecretStr(bridge.url("/plain")), SecretStr("k")),
    }
    alert = raise_alert(settings, topics)
    try:
        with background(am_notifier(settings, sinks)):
            assert wait_for(lambda: bridge.at("/am") and bridge.at("/plain"), timeout=20)
            events = alert_events(settings, topics, 3)
    finally:
        bridge.close()

    (accepted,) = bridge.at("/am")
    assert accepted.status == 200
    body = accepted.json()
    assert (body["version"], body["receiver"], body["status"]) == ("4", "bridge", "firing")
    assert body["externalURL"] == DASHBOARD
    (item,) = body["alerts"]
    assert item["labels"]["alertname"] == "processing_failed"
    assert item["annotations"]["alert_id"] == alert.alert_id
    assert item["fingerprint"] == fingerprint(item["labels"])
    # The receiver does check: our own format is not Alertmanager's and is refused.
    assert [r.status for r in bridge.at("/plain")] == [400]
    outcomes = {
        e.sink: type(e).__name__
        for e in events
        if isinstance(e, AlertDelivered | AlertDeliveryFailed)
    }
    assert outcomes == {"bridge": "AlertDelivered", "plain": "AlertDeliveryFailed"}
