"""A notifier or alerter taking over: what fired meanwhile is announced, once.

Notifier: term 1 (a notifier of the group) announces one alert and stops. While no notifier
holds the role, alerts are raised and resolved on the alerts topic (3 partitions), one of them
with the delivery record a holder leaves when it delivered an alert but stopped before
committing. Then a new term of the same group starts (what the standby does on acquiring the
lease: a fresh service on the group's committed offsets) and must send every firing and
resolution owed, each once, in order, and nothing already delivered. A sink the previous
holder sent an alert's resolution must not get its firing from the new term, while a sink of
the same route that never got the alert gets both.

Alerter: an alerter starting on a backlog of input (as one taking over does) raises and
resolves an alert at once; the notifier, reading both before its group wait ends, must still
announce it, since the alert lasted longer than that wait.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    AlertDelivered,
    AlertLevel,
    AlertRaised,
    AlertResolved,
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, declare_topics, ensure_topics
from mediawatch_common.kafka import producer_config as make_producer_config
from mediawatch_common.settings import Settings, load_settings
from mediawatch_notifier.settings import SinkType

from ..alerter.running import alerter, background
from ..helpers import wait_for
from .receiver import Receiver
from .running import notifier

pytestmark = pytest.mark.integration

ALERTER = Producer(service="alerter", host="alerter-1", pid=1)
GROUP_KEY = "route=all,rule=processing_failed"


@pytest.fixture
def spread(settings: Settings, admin: AdminClient) -> Iterator[tuple[Settings, Topics]]:
    """Settings on a topic prefix of this test, its topics with 3 partitions each."""
    prefix = f"test.takeover.{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers}
    env.update(KAFKA_TOPIC_PREFIX=prefix, LOG_CONSOLE="false")
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(admin, topics.all(), 1, 1)
    yield load_settings(env), topics
    for future in admin.delete_topics(
        [t.name for t in topics.all()], operation_timeout=30
    ).values():
        future.result()


def raised(n: int, started: datetime) -> AlertRaised:
    return AlertRaised(
        event_time=started,
        producer=ALERTER,
        alert_id=f"alert_1700000000_{n}",
        fingerprint=f"processing_failed{{session_id=s{n},stage=merging}}",
        rule="processing_failed",
        level=AlertLevel.ERROR,
        title="Processing Failed: merging",
        message=f"Session s{n} failed at merging: FFmpeg process failed",
        session_id=f"s{n}",
        stage=Stage.MERGING,
        labels={"session_id": f"s{n}", "stage": "merging", "host": "worker-1"},
        starts_at=started,
    )


def resolution(alert: AlertRaised, ended: datetime) -> AlertResolved:
    return AlertResolved(
        event_time=ended,
        producer=ALERTER,
        alert_id=alert.alert_id,
        fingerprint=alert.fingerprint,
        rule=alert.rule,
        reason="stage succeeded",
        ends_at=ended,
    )


def delivered_before(alert: AlertRaised) -> AlertDelivered:
    """The record a notifier writes once the sink accepted a message listing ``alert``."""
    return AlertDelivered(
        producer=Producer(service="notifier", host="notifier-1", pid=2),
        notification_id="ntf_1700000000_9",
        group_key=GROUP_KEY,
        sink="hook",
        sink_type="webhook",
        status="firing",
        alert_ids=(alert.alert_id,),
        attempt=1,
        http_status=200,
        duration_ms=4.0,
        rate_limited_ms=0.0,
    )


def publish(settings: Settings, topics: Topics, events: list[Event]) -> None:
    producer = EventProducer(make_producer_config(settings.kafka.bootstrap_servers, "test"))
    for event in events:
        assert isinstance(event, AlertDelivered | AlertRaised | AlertResolved)
        key = event.group_key if isinstance(event, AlertDelivered) else event.fingerprint
        producer.produce(topics.alerts.name, encode_event(event), key=key)
    producer.flush()


def receipts(receiver: Receiver) -> list[tuple[str, str]]:
    """Every (alert id, status) the webhook accepted, in arrival order."""
    return [(a["id"], a["status"]) for r in receiver.at("/hook", 200) for a in r.json()["alerts"]]


def test_a_new_term_announces_what_fired_meanwhile_once_and_nothing_delivered_twice(
    spread: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = spread
    sinks: dict[str, tuple[SinkType, str]] = {"hook": ("webhook", receiver.url("/hook"))}
    now = datetime.now(UTC)
    announced = raised(1, now - timedelta(minutes=5))
    publish(settings, topics, [announced])
    with background(notifier(settings, sinks, group_wait_seconds=0.5)):
        assert wait_for(lambda: receipts(receiver), timeout=20)
    assert receipts(receiver) == [(announced.alert_id, "firing")]

    # No notifier works: alerts come and go.
    flapped = raised(2, now - timedelta(minutes=4))  # never announced
    got = raised(3, now - timedelta(minutes=3))  # delivered by a holder that did not commit
    firing = raised(4, now - timedelta(minutes=2))  # still firing
    publish(
        settings,
        topics,
        [
            resolution(announced, now - timedelta(minutes=1)),
            flapped,
            resolution(flapped, now - timedelta(seconds=230)),
            got,
            delivered_before(got),
            resolution(got, now - timedelta(seconds=170)),
            firing,
        ],
    )
    expected = Counter(
        {
            (announced.alert_id, "firing"): 1,
            (announced.alert_id, "resolved"): 1,
            (flapped.alert_id, "firing"): 1,
            (flapped.alert_id, "resolved"): 1,
            (got.alert_id, "resolved"): 1,
            (firing.alert_id, "firing"): 1,
        }
    )
    with background(notifier(settings, sinks, group_wait_seconds=0.5)):
        assert wait_for(lambda: Counter(receipts(receiver)) == expected, timeout=30), receipts(
            receiver
        )

    seen = receipts(receiver)
    assert Counter(seen) == expected, seen
    assert seen.index((flapped.alert_id, "firing")) < seen.index((flapped.alert_id, "resolved"))
    bodies = [r.json() for r in receiver.at("/hook", 200)]
    (gone,) = [
        a
        for b in bodies
        for a in b["alerts"]
        if a["id"] == flapped.alert_id and a["status"] == "resolved"
    ]
    assert gone["resolved_at"].startswith((now - timedelta(seconds=230)).strftime("%Y-%m-%dT%H:%M"))


def merging(session: str, ok: bool, at: datetime) -> StageCompleted:
    return StageCompleted(
        event_time=at,
        producer=Producer(service="transcoder", host="worker-1", pid=7),
        session_id=session,
        user_id="user_1",
        stage=Stage.MERGING,
        started_at=at - timedelta(seconds=3),
        success=ok,
        duration_seconds=3.0,
        error_code=None if ok else ErrorCode.FFMPEG_FAILED,
        error_message=None if ok else "FFmpeg process failed",
    )


def test_an_alert_an_alerter_raises_and_resolves_while_catching_up_is_announced(
    spread: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = spread
    now = datetime.now(UTC)
    producer = EventProducer(make_producer_config(settings.kafka.bootstrap_servers, "test"))
    for event in (
        merging("s_late", False, now - timedelta(seconds=40)),
        merging("s_late", True, now),
    ):
        producer.produce(topics.pipeline.name, encode_event(event), key="s_late")
    producer.flush()

    sinks: dict[str, tuple[SinkType, str]] = {"hook": ("webhook", receiver.url("/hook"))}
    with (
        background(notifier(settings, sinks, group_wait_seconds=2)),
        background(alerter(settings)),
    ):
        assert wait_for(lambda: len(receipts(receiver)) >= 2, timeout=30), receipts(receiver)

    (alert_id,) = {i for i, _ in receipts(receiver)}
    assert receipts(receiver) == [(alert_id, "firing"), (alert_id, "resolved")]


def test_a_new_term_sends_no_firing_to_a_sink_that_got_the_resolution_before(
    spread: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = spread
    sinks: dict[str, tuple[SinkType, str]] = {
        "a": ("webhook", receiver.url("/a")),
        "b": ("webhook", receiver.url("/b")),
    }
    now = datetime.now(UTC)
    first = raised(1, now - timedelta(minutes=5))
    publish(settings, topics, [first])
    with background(notifier(settings, sinks, group_wait_seconds=0.2)):
        assert wait_for(lambda: got(receiver, "/a") and got(receiver, "/b"), timeout=20)

    # The previous holder sent `gone` firing, then resolved, to `a`; `b` was still failing.
    gone = raised(2, now - timedelta(minutes=2))
    to_a = replace(delivered_before(gone), sink="a")
    publish(
        settings,
        topics,
        [
            gone,
            to_a,
            replace(to_a, notification_id="ntf_1700000000_10", status="resolved"),
            resolution(gone, now - timedelta(minutes=1)),
        ],
    )
    with background(notifier(settings, sinks, group_wait_seconds=0.2)):
        assert wait_for(lambda: (gone.alert_id, "resolved") in got(receiver, "/a"), timeout=30)
        assert wait_for(lambda: (gone.alert_id, "resolved") in got(receiver, "/b"), timeout=30)

    assert got(receiver, "/a") == [(first.alert_id, "firing"), (gone.alert_id, "resolved")]
    assert got(receiver, "/b") == [
        (first.alert_id, "firing"),
        (gone.alert_id, "firing"),
        (gone.alert_id, "resolved"),
    ]


def got(receiver: Receiver, path: str) -> list[tuple[str, str]]:
    """Every (alert id, status) ``path`` accepted, in arrival order."""
    return [(a["id"], a["status"]) for r in receiver.at(path, 200) for a in r.json()["alerts"]]
