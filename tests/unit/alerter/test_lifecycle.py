"""The alert book: pending/firing/resolved, `for`, dedup, expiry, level changes, restore."""

from __future__ import annotations

import pytest

from mediawatch_alerter.alerts import AlertBook, Finding, fingerprint
from mediawatch_common.alerting import RANDOM_FLOOR, IdSequence, random_id
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved

from .helpers import ME, T0, at

pytestmark = pytest.mark.unit


def finding(level: AlertLevel | None = AlertLevel.WARNING, **kw: object) -> Finding:
    base: dict[str, object] = {
        "rule": "high_cpu",
        "labels": {"host": "w1"},
        "level": level,
        "title": "t",
    }
    return Finding(**{**base, **kw})  # type: ignore[arg-type]


def test_fingerprint_is_rule_plus_sorted_labels() -> None:
    assert fingerprint("r", {"b": "2", "a": "1"}) == "r{a=1,b=2}"
    assert fingerprint("r", {"a": "1", "b": "2"}) == fingerprint("r", {"b": "2", "a": "1"})


def test_fires_at_once_without_for_and_deduplicates() -> None:
    book = AlertBook(ME)

    first = book.observe([finding()], T0)
    again = book.observe([finding(), finding()], at(5))

    assert [type(e) for e in first] == [AlertRaised]
    assert first[0].alert_id == f"alert_{int(T0.timestamp())}_1"
    assert again == []
    assert len(book.firing()) == 1


def test_pending_until_for_elapses_then_fires_on_tick() -> None:
    book = AlertBook(ME)

    assert book.observe([finding(for_seconds=60)], T0) == []
    assert book.level_of(fingerprint("high_cpu", {"host": "w1"})) is AlertLevel.WARNING
    assert book.tick(at(59)) == []
    fired = book.tick(at(60))

    assert [type(e) for e in fired] == [AlertRaised]
    assert isinstance(fired[0], AlertRaised)
    assert fired[0].starts_at == T0


def test_clearing_while_pending_emits_nothing() -> None:
    book = AlertBook(ME)
    book.observe([finding(for_seconds=60)], T0)

    assert book.observe([finding(level=None)], at(30)) == []
    assert book.tick(at(120)) == []


def test_clear_resolves_a_firing_alert_with_its_id() -> None:
    book = AlertBook(ME)
    (raised,) = book.observe([finding()], T0)

    (resolved,) = book.observe([finding(level=None, reason="value back to normal")], at(10))

    assert isinstance(resolved, AlertResolved)
    assert resolved.alert_id == raised.alert_id
    assert resolved.reason == "value back to normal"
    assert resolved.ends_at == at(10)
    assert book.firing() == []


def test_unobserved_alert_expires_on_tick() -> None:
    book = AlertBook(ME)
    book.observe([finding(valid_for_seconds=300)], T0)
    book.observe([finding(valid_for_seconds=300)], at(200))

    assert book.tick(at(499)) == []
    (resolved,) = book.tick(at(500))

    assert isinstance(resolved, AlertResolved)
    assert resolved.reason == "no longer observed"


def test_level_change_resolves_old_and_raises_new() -> None:
    book = AlertBook(ME)
    book.observe([finding()], T0)

    events = book.observe([finding(level=AlertLevel.CRITICAL)], at(1))

    assert [type(e) for e in events] == [AlertResolved, AlertRaised]
    assert isinstance(events[0], AlertResolved)
    assert events[0].reason == "level changed to critical"
    assert isinstance(events[1], AlertRaised)
    assert events[1].level is AlertLevel.CRITICAL
    assert events[1].alert_id != events[0].alert_id


def test_restore_keeps_firing_alerts_quiet_and_ids_unique() -> None:
    old = AlertBook(ME)
    (raised,) = old.observe([finding()], T0)

    book = AlertBook(ME)
    book.restore(raised, at(60))

    assert book.observe([finding()], at(61)) == []
    assert book.firing() == [raised]
    other = book.observe([finding(labels={"host": "w2"})], T0)
    assert other[0].alert_id != raised.alert_id


def test_restore_of_a_resolved_alert_forgets_it() -> None:
    old = AlertBook(ME)
    (raised,) = old.observe([finding()], T0)
    (resolved,) = old.observe([finding(level=None)], at(1))

    book = AlertBook(ME)
    book.restore(raised, at(2))
    book.restore(resolved, at(2))

    assert book.firing() == []
    assert [type(e) for e in book.observe([finding()], at(3))] == [AlertRaised]


def test_ids_continue_after_the_highest_seen() -> None:
    ids = IdSequence("alert")
    ids.seen("alert_1640995200_123")
    ids.seen("garbage")

    assert ids.next(T0) == f"alert_{int(T0.timestamp())}_124"


def test_random_ids_stay_apart_from_the_sequence() -> None:
    ids = IdSequence("alert")
    drawn = {random_id("alert", T0) for _ in range(1000)}
    for issued in drawn:
        ids.seen(issued)
        assert int(issued.rsplit("_", 1)[1]) >= RANDOM_FLOOR

    assert len(drawn) == 1000
    assert ids.next(T0) == f"alert_{int(T0.timestamp())}_1"
