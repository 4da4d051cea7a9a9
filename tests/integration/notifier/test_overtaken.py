"""A firing delivery waiting to retry must not reach its sink after the alert's resolution."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    AlertLevel,
    AlertRaised,
    AlertResolved,
    Producer,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings
from mediawatch_common.wall_clock import SystemClock
from mediawatch_notifier.delivery import WITHDRAWN, Deliverer, Outcome, Record
from mediawatch_notifier.grouping import Notification
from mediawatch_notifier.retry_policy import RetryPolicy
from mediawatch_notifier.routing import Route, Sink

from ..alerter.running import alert_events, background
from ..helpers import wait_for
from .receiver import Receiver, Reply
from .running import notifier
from .test_notifier import raise_alert

pytestmark = pytest.mark.integration


def test_firing_retry_is_withdrawn_once_its_resolution_was_sent(
    isolated: tuple[Settings, Topics], receiver: Receiver
) -> None:
    settings, topics = isolated
    receiver.script("/hook", Reply(429, {"Retry-After": "30"}))
    alert = raise_alert(settings, topics)

    with background(notifier(settings, {"team": ("webhook", receiver.url("/hook"))})):
        assert wait_for(lambda: receiver.at("/hook", 429), timeout=20)
        resolution = AlertResolved(
            producer=Producer(service="test", host="worker-1", pid=1),
            alert_id=alert.alert_id,
            fingerprint=alert.fingerprint,
            rule=alert.rule,
            reason="cleared",
            ends_at=datetime.now(UTC),
        )
        producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test"))
        producer.send(topics.alerts.name, encode_event(resolution), key=alert.fingerprint)
        assert wait_for(lambda: receiver.at("/hook", 200), timeout=20)
        events = alert_events(settings, topics, 5, timeout=10)

    got = [(r.status, r.json()["status"]) for r in receiver.at("/hook")]
    assert got == [(429, "firing"), (200, "resolved")]
    records = [e for e in events if isinstance(e, AlertDelivered | AlertDeliveryFailed)]
    assert [(r.status, r.attempt, type(r).__name__) for r in records] == [
        ("firing", 1, "AlertDeliveryFailed"),
        ("resolved", 1, "AlertDelivered"),
        ("firing", 2, "AlertDeliveryFailed"),
    ]
    withdrawn = records[-1]
    assert isinstance(withdrawn, AlertDeliveryFailed)
    assert withdrawn.final
    assert withdrawn.http_status is None
    assert withdrawn.alert_ids == (alert.alert_id,)
    assert withdrawn.notification_id == records[0].notification_id


def deliverer(records: list[Record], sleep: Callable[[float], bool]) -> Deliverer:
    return Deliverer(
        client=httpx.Client(follow_redirects=False),
        policy=RetryPolicy(initial=1.0, random=lambda: 0.5),
        producer=Producer(service="notifier", host="notifier-1", pid=2),
        record=records.append,
        clock=SystemClock(),
        timeout=5.0,
        sleep=sleep,
    )


def notification(
    nid: str, firing: tuple[AlertRaised, ...], gone: tuple[AlertRaised, ...] = ()
) -> Notification:
    route = Route(name="all", levels=frozenset({"error"}), sinks=("team",))
    pairs = tuple((a, _resolution(a)) for a in gone)
    return Notification(nid, route, "route=all", firing, pairs)


def _resolution(alert: AlertRaised) -> AlertResolved:
    return AlertResolved(
        producer=Producer(service="test", host="worker-1", pid=1),
        alert_id=alert.alert_id,
        fingerprint=alert.fingerprint,
        rule=alert.rule,
        reason="cleared",
        ends_at=datetime.now(UTC),
    )


def _alerts(count: int) -> tuple[AlertRaised, ...]:
    return tuple(
        AlertRaised(
            producer=Producer(service="test", host="worker-1", pid=1),
            alert_id=f"alert_1700000000_{n}",
            fingerprint=f"processing_failed{{session_id=s{n}}}",
            rule="processing_failed",
            level=AlertLevel.ERROR,
            title="Processing Failed: merging",
            message=f"Session s{n} failed at merging",
            labels={"session_id": f"s{n}"},
            starts_at=datetime.now(UTC),
        )
        for n in range(1, count + 1)
    )


def test_a_batch_retry_leaves_out_only_the_alert_resolved_meanwhile(receiver: Receiver) -> None:
    a1, a2, a3 = _alerts(3)
    receiver.script("/hook", Reply(500))
    sink = Sink("team", "webhook", SecretStr(receiver.url("/hook")), SecretStr("k"))
    batch = notification("ntf_1", (a1, a2, a3))
    records: list[Record] = []
    pauses: list[float] = []

    def backoff(seconds: float) -> bool:  # a2's resolution is dispatched during the backoff
        if not pauses:
            d.overtaken.resolving(notification("ntf_2", (), (a2,)))
        pauses.append(seconds)
        return True

    d = deliverer(records, backoff)
    d.overtaken.open(batch, "team")
    outcome = d.deliver(batch, sink)

    sent = [[a["id"] for a in r.json()["alerts"]] for r in receiver.at("/hook")]
    assert sent == [[a1.alert_id, a2.alert_id, a3.alert_id], [a1.alert_id, a3.alert_id]]
    assert outcome == Outcome(True, 2)
    assert [(type(r).__name__, r.attempt, r.alert_ids) for r in records] == [
        ("AlertDeliveryFailed", 1, (a1.alert_id, a2.alert_id, a3.alert_id)),
        ("AlertDeliveryFailed", 2, (a2.alert_id,)),
        ("AlertDelivered", 2, (a1.alert_id, a3.alert_id)),
    ]
    withdrawn = records[1]
    assert isinstance(withdrawn, AlertDeliveryFailed)
    assert (withdrawn.final, withdrawn.error, withdrawn.status) == (True, WITHDRAWN, "firing")
    assert sum(pauses) == pytest.approx(0.5)  # the backoff drawn, waited in full


def test_a_resolution_is_sent_after_the_answer_to_a_firing_attempt_in_flight() -> None:
    (a1,) = _alerts(1)
    arrived: list[str] = []
    receiver = Receiver(lambda _path, body: arrived.append(json.loads(body)["status"])).start()
    try:
        receiver.script("/hook", Reply(200, delay=0.5))  # the firing attempt hangs a while
        sink = Sink("team", "webhook", SecretStr(receiver.url("/hook")), SecretStr("k"))
        fired, gone = notification("ntf_1", (a1,)), notification("ntf_2", (), (a1,))
        d = deliverer([], lambda _s: True)
        d.overtaken.open(fired, "team")
        first = threading.Thread(target=d.deliver, args=(fired, sink))
        first.start()
        assert wait_for(lambda: arrived == ["firing"], timeout=5)

        d.overtaken.resolving(gone)
        assert d.deliver(gone, sink) == Outcome(True, 1)
        first.join(timeout=10)
        assert [r.json()["status"] for r in receiver.at("/hook")] == ["firing", "resolved"]
    finally:
        receiver.close()
