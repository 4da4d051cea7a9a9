"""A resolution dispatched to a sink overtakes the firing of its alert still on its way there."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mediawatch_common.events import AlertDelivered, AlertRaised
from mediawatch_notifier.backlog import Backlog
from mediawatch_notifier.grouping import Notification
from mediawatch_notifier.overtaken import Overtaken
from mediawatch_notifier.routing import Route

from .test_late_alerts import ALL, alert, delivered, resolved

pytestmark = pytest.mark.unit


def firing(nid: str, *alerts: AlertRaised, sinks: tuple[str, ...] = ("chat",)) -> Notification:
    route = Route(name="oncall", levels=ALL, sinks=sinks)
    return Notification(nid, route, "route=oncall", alerts, ())


def resolution(nid: str, *alerts: AlertRaised, sinks: tuple[str, ...] = ("chat",)) -> Notification:
    route = Route(name="oncall", levels=ALL, sinks=sinks)
    return Notification(nid, route, "route=oncall", (), tuple((a, resolved(a, 60)) for a in alerts))


def ids(n: Notification) -> tuple[str, ...]:
    return n.alert_ids


def test_a_resolution_removes_only_its_alert_from_a_retry_to_the_same_sink() -> None:
    a1, a2, a3 = alert(1), alert(2), alert(3)
    batch = firing("ntf_1", a1, a2, a3, sinks=("chat", "audit"))
    o = Overtaken()
    for sink in ("chat", "audit"):
        o.open(batch, sink)
    assert o.attempt(batch, "chat") == (batch, ())  # the first attempt, before any resolution
    o.landed(batch, "chat")

    o.resolving(resolution("ntf_2", a2))  # its route reaches chat only

    sent, left_out = o.attempt(batch, "chat")
    assert ids(sent) == (a1.alert_id, a3.alert_id)
    assert sent.status == "firing"
    assert sent.notification_id == "ntf_1"
    assert left_out == (a2,)
    assert o.attempt(batch, "chat") == (sent, ())  # recorded once, still left out
    assert o.attempt(batch, "audit") == (batch, ())  # another sink keeps it
    assert not o.spent(batch, "chat")


def test_a_retry_whose_alerts_all_resolved_is_spent_and_sends_nothing() -> None:
    a1, a2 = alert(1), alert(2)
    batch = firing("ntf_1", a1, a2)
    o = Overtaken()
    o.open(batch, "chat")
    o.resolving(resolution("ntf_2", a1))
    assert not o.spent(batch, "chat")
    o.resolving(resolution("ntf_3", a2))

    assert o.spent(batch, "chat")
    sent, left_out = o.attempt(batch, "chat")
    assert ids(sent) == ()
    assert left_out == (a1, a2)
    o.close(batch, "chat")
    assert not o.spent(batch, "chat")  # closed: nothing known of it any more


def test_a_message_with_resolutions_still_sends_them_when_its_firing_is_overtaken() -> None:
    a1, a2 = alert(1), alert(2)
    mixed = Notification(
        "ntf_1", firing("x", sinks=("chat",)).route, "k", (a1,), ((a2, resolved(a2, 30)),)
    )
    o = Overtaken()
    o.open(mixed, "chat")
    o.resolving(resolution("ntf_2", a1))

    sent, left_out = o.attempt(mixed, "chat")
    assert not o.spent(mixed, "chat")
    assert ids(sent) == (a2.alert_id,)
    assert sent.status == "resolved"
    assert left_out == (a1,)


def test_firing_dispatched_after_its_resolution_to_a_sink_is_left_out_there() -> None:
    a1, a2 = alert(1), alert(2)
    o = Overtaken()
    o.resolving(resolution("ntf_1", a1, sinks=("chat",)))  # another route, resolved first
    late = firing("ntf_2", a1, a2, sinks=("chat", "audit"))
    o.open(late, "chat")
    o.open(late, "audit")

    assert o.attempt(late, "chat") == (firing("ntf_2", a2, sinks=("chat", "audit")), (a1,))
    assert o.attempt(late, "audit") == (late, ())


def test_resolutions_recorded_by_an_earlier_term_are_learned() -> None:
    a1, a2 = alert(1), alert(2)
    backlog = Backlog(committed={0: 1}, ends={0: 9}, owed=frozenset({a1.alert_id, a2.alert_id}))
    backlog.note(delivered((a1.alert_id, a2.alert_id), "audit"))  # status firing
    backlog.note(_resolved_record(a1.alert_id, "chat"))
    assert backlog.resolutions() == {a1.alert_id: frozenset({"chat"})}

    o = Overtaken()
    o.learn(backlog.resolutions())
    again = firing("ntf_9", a1, a2, sinks=("chat", "audit"))
    o.open(again, "chat")
    o.open(again, "audit")
    assert o.attempt(again, "chat")[1] == (a1,)
    assert o.attempt(again, "audit")[1] == ()


def _resolved_record(alert_id: str, sink: str) -> AlertDelivered:
    return replace(delivered((alert_id,), sink), status="resolved")


def test_a_resolution_waits_for_an_attempt_in_flight_listing_its_alert_firing() -> None:
    a1, a2 = alert(1), alert(2)
    batch = firing("ntf_1", a1)
    other = firing("ntf_2", a2)
    o = Overtaken()
    o.open(batch, "chat")
    o.open(other, "chat")
    o.attempt(batch, "chat")
    o.attempt(other, "chat")

    assert not o.await_landing(resolution("ntf_3", a1), "chat", 0.0)
    assert o.await_landing(resolution("ntf_3", a1), "audit", 0.0)  # another sink
    assert o.await_landing(firing("ntf_4", a1), "chat", 0.0)  # not a resolution
    o.landed(batch, "chat")
    assert o.await_landing(resolution("ntf_3", a1), "chat", 0.0)


def test_a_sink_remembers_its_latest_resolutions_only() -> None:
    o = Overtaken(remembered=2)
    alerts = [alert(n) for n in range(1, 4)]
    for n, a in enumerate(alerts):
        o.resolving(resolution(f"ntf_{n}", a))
    late = firing("ntf_9", *alerts)
    o.open(late, "chat")

    assert o.attempt(late, "chat")[1] == tuple(alerts[1:])
