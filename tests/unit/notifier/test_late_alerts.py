"""Alerts read late (a takeover's backlog, an alerter catching up) are announced at least once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

import pytest

from mediawatch_common.alerting import parse_matcher
from mediawatch_common.events import (
    AlertDelivered,
    AlertLevel,
    AlertRaised,
    AlertResolved,
    Event,
    SilenceCreated,
)
from mediawatch_notifier.backlog import Backlog, Reader, Reading, owed
from mediawatch_notifier.grouping import Dispatcher, Notification
from mediawatch_notifier.pending_offsets import Token
from mediawatch_notifier.routing import Route

from .helpers import ME, T0, at

pytestmark = pytest.mark.unit

ALL = frozenset({"info", "warning", "error", "critical"})


def alert(n: int, started: float = 0) -> AlertRaised:
    return AlertRaised(
        event_time=at(started),
        producer=ME,
        alert_id=f"alert_1_{n}",
        fingerprint=f"processing_failed{{session_id=s{n}}}",
        rule="processing_failed",
        level=AlertLevel.ERROR,
        title="Processing Failed: merging",
        message=f"Session s{n} failed at merging",
        session_id=f"s{n}",
        labels={"session_id": f"s{n}"},
        starts_at=at(started),
    )


def resolved(a: AlertRaised, ended: float) -> AlertResolved:
    return AlertResolved(
        event_time=at(ended),
        producer=ME,
        alert_id=a.alert_id,
        fingerprint=a.fingerprint,
        rule=a.rule,
        reason="stage succeeded",
        ends_at=at(ended),
    )


def dispatcher(wait: float = 10, send_resolved: bool = True) -> Dispatcher:
    route = Route(
        name="oncall",
        levels=ALL,
        sinks=("chat", "audit"),
        group_wait_seconds=wait,
        send_resolved=send_resolved,
    )
    return Dispatcher([route])


def lifecycle(d: Dispatcher, now: float) -> list[tuple[list[str], list[str]]]:
    """Flush what is due at ``now`` (each message: firing ids, resolved ids), each reported
    done at once."""
    out = []
    for n in d.due(at(now)):
        out.append(([a.alert_id for a in n.firing], [a.alert_id for a, _ in n.resolved]))
        d.follow_up(n, at(now))
    return out


def test_an_owed_alert_resolved_before_its_message_is_announced_firing_then_resolved() -> None:
    d = dispatcher()
    a = alert(1, started=-300)
    assert d.accept(a, Token("t", 0, 5), T0, Reading.OWED) == 1
    assert d.accept(resolved(a, -200), Token("t", 0, 6), T0, Reading.OWED) == 1

    (firing,) = d.due(at(10))
    assert (firing.status, [x.alert_id for x in firing.firing]) == ("firing", ["alert_1_1"])
    assert firing.tokens == (Token("t", 0, 5),)  # the resolution's token stays held
    assert d.due(at(100)) == []  # nothing more until the firing message is done
    d.follow_up(firing, at(100))
    (gone,) = d.due(at(110))
    assert gone.status == "resolved"
    assert [(x.alert_id, r.ends_at) for x, r in gone.resolved] == [("alert_1_1", at(-200))]
    assert gone.tokens == (Token("t", 0, 6),)
    d.follow_up(gone, at(110))
    assert d.due(at(1000)) == []


def test_a_live_alert_that_lasted_longer_than_the_group_wait_is_announced() -> None:
    d = dispatcher()
    late = alert(1, started=-60)  # e.g. raised by an alerter catching up on its input
    flap = alert(2, started=0)
    for a, ended in ((late, 1), (flap, 2)):
        d.accept(a, None, at(ended))
        d.accept(resolved(a, ended), None, at(ended))

    assert lifecycle(d, 11) == [(["alert_1_1"], [])]
    assert lifecycle(d, 21) == [([], ["alert_1_1"])]
    assert lifecycle(d, 5000) == []


def test_history_of_a_new_group_keeps_flaps_out() -> None:
    d = dispatcher()
    a = alert(1, started=-3600)
    d.accept(a, None, T0, Reading.HISTORY)
    assert d.accept(resolved(a, -3000), None, T0, Reading.HISTORY) == 0

    assert lifecycle(d, 10) == [([], [])]
    assert lifecycle(d, 5000) == []


def test_an_owed_alert_every_sink_got_is_not_announced_again() -> None:
    d = dispatcher()
    got, half = alert(1, started=-30), alert(2, started=-30)
    d.delivered = {got.alert_id: frozenset({"chat", "audit"}), half.alert_id: frozenset({"chat"})}
    assert d.accept(got, Token("t", 0, 1), T0, Reading.OWED) == 0
    assert d.accept(half, Token("t", 0, 2), T0, Reading.OWED) == 1
    assert d.accept(resolved(got, -5), Token("t", 0, 3), T0, Reading.OWED) == 1

    assert lifecycle(d, 10) == [(["alert_1_2"], ["alert_1_1"])]
    assert lifecycle(d, 20) == []
    d.accept(resolved(half, 25), None, at(25))
    assert lifecycle(d, 35) == [([], ["alert_1_2"])]


def test_owed_alert_already_announced_still_gets_its_resolution() -> None:
    d = dispatcher(wait=0)
    a = alert(1, started=-30)
    d.delivered = {a.alert_id: frozenset({"chat", "audit"})}
    d.accept(a, None, T0, Reading.OWED)
    d.accept(resolved(a, -1), None, T0, Reading.OWED)

    assert lifecycle(d, 0) == [([], ["alert_1_1"])]


def test_a_silenced_late_alert_is_not_announced_and_releases_its_tokens() -> None:
    d = dispatcher()
    d.silences.apply(
        SilenceCreated(
            producer=ME,
            silence_id="quiet",
            matchers=(parse_matcher("session_id=s1"),),
            starts_at=at(-600),
            ends_at=at(600),
            author="ops",
            comment="maintenance",
        )
    )
    a = alert(1, started=-300)
    d.accept(a, Token("t", 0, 1), T0, Reading.OWED)
    d.accept(resolved(a, -200), Token("t", 0, 2), T0, Reading.OWED)

    (message,) = d.due(at(10))
    assert (message.firing, message.then_resolved) == ((), ())
    assert message.tokens == (Token("t", 0, 1), Token("t", 0, 2))


def test_without_send_resolved_a_late_alert_is_announced_firing_only() -> None:
    d = dispatcher(send_resolved=False)
    a = alert(1, started=-300)
    d.accept(a, Token("t", 0, 1), T0, Reading.OWED)
    assert d.accept(resolved(a, -200), Token("t", 0, 2), T0, Reading.OWED) == 0

    assert lifecycle(d, 10) == [(["alert_1_1"], [])]
    assert lifecycle(d, 10 + timedelta(hours=5).total_seconds()) == []


def test_a_message_given_up_still_lets_the_resolution_follow() -> None:
    d = dispatcher(wait=0)
    a = alert(1, started=-300)
    d.accept(a, None, T0, Reading.OWED)
    d.accept(resolved(a, -200), None, T0, Reading.OWED)
    (firing,) = d.due(T0)
    assert isinstance(firing, Notification)
    d.follow_up(firing, at(1))  # the caller reports it done, delivered or finally failed

    assert lifecycle(d, 1) == [([], ["alert_1_1"])]


def delivered(alert_ids: tuple[str, ...], sink: str) -> AlertDelivered:
    return AlertDelivered(
        producer=ME,
        notification_id="ntf_1",
        group_key="route=oncall,rule=processing_failed",
        sink=sink,
        sink_type="webhook",
        status="firing",
        alert_ids=alert_ids,
        attempt=1,
        http_status=200,
        duration_ms=3.0,
        rate_limited_ms=0.0,
    )


def test_backlog_tells_owed_history_and_live_positions_and_who_got_what() -> None:
    backlog = Backlog(committed={0: 10}, ends={0: 20, 1: 4})
    backlog.owed = owed([alert(2), alert(3), resolved(alert(1), 5)])
    backlog.note(delivered(("alert_1_1", "alert_1_2"), "chat"))
    backlog.note(delivered(("alert_1_2",), "audit"))

    assert backlog.owed == {"alert_1_2", "alert_1_3"}
    assert backlog.continuing
    assert backlog.finished(0, 9)
    assert not backlog.finished(0, 10)
    assert backlog.reading(0, 9) is Reading.OWED
    assert backlog.reading(0, 20) is Reading.LIVE
    assert backlog.reading(1, 3) is Reading.OWED
    assert backlog.reading(2, 0) is Reading.LIVE
    assert backlog.delivered() == {"alert_1_2": frozenset({"chat", "audit"})}
    assert Backlog({}, {0: 20}).reading(0, 5) is Reading.HISTORY


def reader(log: Mapping[int, list[Event]]) -> Reader:
    """Reads ``log`` (partition -> its messages, all before the term's ends) as the topic."""

    def read(since: Mapping[int, int] | None) -> Iterator[tuple[int, int, Event]]:
        for partition, events in log.items():
            first = (since or {}).get(partition, 0)
            yield from ((partition, o, events[o]) for o in range(first, len(events)))

    return read


def test_a_rebuild_keeps_the_deliveries_of_owed_alerts_only_wherever_they_were_read() -> None:
    a1, a2, a3, a4, a5 = (alert(n, started=-300) for n in range(1, 6))
    log: dict[int, list[Event]] = {
        0: [a1, delivered((a1.alert_id,), "chat"), a2, a3, resolved(a2, -10)],
        # the commit passed a3's deliveries while a3 itself was still uncommitted
        1: [
            delivered((a3.alert_id, a1.alert_id), "chat"),
            delivered((a3.alert_id,), "audit"),
            a4,
            delivered((a4.alert_id,), "chat"),
            delivered((a2.alert_id,), "audit"),
        ],
        2: [a5],  # a partition the group never committed on is backlog from its start
    }
    backlog = Backlog(committed={0: 3, 1: 2}, ends={p: len(e) for p, e in log.items()})
    d, restored = dispatcher(), list[Event]()

    def restore(event: Event) -> None:
        restored.append(event)
        d.restore(event)

    backlog.replay(reader(log), restore)

    assert backlog.owed == {a3.alert_id, a4.alert_id, a5.alert_id}
    assert backlog.delivered() == {
        a3.alert_id: frozenset({"chat", "audit"}),
        a4.alert_id: frozenset({"chat"}),
    }
    assert restored == [*log[0][:3], *log[1][:2]]

    d.delivered = backlog.delivered()
    for partition, offset, event in reader(log)(backlog.committed):
        d.accept(event, Token("alerts", partition, offset), T0, backlog.reading(partition, offset))
    assert lifecycle(d, 10) == [(["alert_1_4", "alert_1_5"], ["alert_1_2"])]
