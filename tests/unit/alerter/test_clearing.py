"""An operator's clearing is final for that instance; a new occurrence raises a new alert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from mediawatch_alerter.alerts import AlertBook, Finding
from mediawatch_alerter.alerts.clearing import Cleared, occurs_again
from mediawatch_alerter.evaluator import Evaluator
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, Producer, Stage

from .helpers import ME, T0, at, completed, evaluator, started

pytestmark = pytest.mark.unit

API = Producer(service="query-api", host="api-1", pid=3)


def finding(level: AlertLevel | None = AlertLevel.WARNING, **kw: object) -> Finding:
    base: dict[str, object] = {"rule": "high_cpu", "labels": {"host": "w1"}, "level": level}
    return Finding(**{**base, **kw})  # type: ignore[arg-type]


def clearing(alert: AlertRaised, when: datetime = T0, actor: str | None = "admin") -> AlertResolved:
    """What ``DELETE /alerts`` appends for ``alert``."""
    return AlertResolved(
        event_time=when,
        producer=API,
        alert_id=alert.alert_id,
        fingerprint=alert.fingerprint,
        rule=alert.rule,
        reason="cleared",
        ends_at=when,
        actor=actor,
    )


def raised(events: Sequence[object]) -> list[AlertRaised]:
    return [e for e in events if isinstance(e, AlertRaised)]


def test_the_cleared_instance_is_not_raised_again_while_observed() -> None:
    book = AlertBook(ME)
    (alert,) = book.observe([finding()], T0)
    assert isinstance(alert, AlertRaised)

    assert book.clear(clearing(alert)) is True
    assert book.firing() == []
    assert book.cleared() == [alert.fingerprint]
    assert book.observe([finding(), finding()], at(10)) == []
    assert book.tick(at(20)) == []
    assert book.level_of(alert.fingerprint) is AlertLevel.WARNING  # hysteresis still applies


def test_observed_clear_then_present_again_raises_a_new_alert() -> None:
    book = AlertBook(ME)
    (alert,) = raised(book.observe([finding()], T0))
    book.clear(clearing(alert))

    assert book.observe([finding(level=None)], at(10)) == []  # nothing left to resolve
    assert book.cleared() == []
    (again,) = raised(book.observe([finding()], at(20)))
    assert again.alert_id != alert.alert_id
    assert again.fingerprint == alert.fingerprint
    assert [a.alert_id for a in book.firing()] == [again.alert_id]


def test_unobserved_for_its_validity_then_present_again_raises_a_new_alert() -> None:
    book = AlertBook(ME)
    (alert,) = raised(book.observe([finding(valid_for_seconds=60)], T0))
    book.clear(clearing(alert))

    assert book.observe([finding(valid_for_seconds=60)], at(50)) == []  # still observed
    assert book.tick(at(100)) == []
    assert book.cleared() == [alert.fingerprint]
    assert book.tick(at(110)) == []  # 60 s after the last observation: expired, silently
    assert book.cleared() == []
    assert len(raised(book.observe([finding(valid_for_seconds=60)], at(120)))) == 1


def test_a_worse_level_is_a_new_occurrence_a_lower_one_is_not() -> None:
    book = AlertBook(ME)
    (alert,) = raised(book.observe([finding(level=AlertLevel.CRITICAL)], T0))
    book.clear(clearing(alert))

    assert book.observe([finding(level=AlertLevel.WARNING)], at(10)) == []
    (worse,) = raised(book.observe([finding(level=AlertLevel.CRITICAL)], at(20)))
    assert worse.level is AlertLevel.CRITICAL


def test_clearing_another_instance_changes_nothing() -> None:
    book = AlertBook(ME)
    (alert,) = raised(book.observe([finding()], T0))
    stale = AlertRaised(**{**_fields(alert), "alert_id": "alert_0_99"})

    assert book.clear(clearing(stale)) is False
    assert [a.alert_id for a in book.firing()] == [alert.alert_id]


def test_restore_replays_the_clearing() -> None:
    book = AlertBook(ME)
    (alert,) = raised(AlertBook(ME).observe([finding()], T0))

    book.restore(alert, at(5))
    book.restore(clearing(alert), at(5))

    assert book.firing() == []
    assert book.observe([finding()], at(10)) == []
    assert book.restore(clearing(alert, actor=None), at(5)) is None  # type: ignore[func-returns-value]  # the alerter's own


def test_per_event_rules_raise_for_a_later_event_only() -> None:
    memory = Cleared("alert_1_1", AlertLevel.ERROR, at(10))
    same = finding(level=AlertLevel.ERROR, per_event=True, starts_at=at(10))
    later = finding(level=AlertLevel.ERROR, per_event=True, starts_at=at(11))
    condition = finding(level=AlertLevel.ERROR, starts_at=at(11))

    assert occurs_again(memory, same) is False  # the same failure, delivered again
    assert occurs_again(memory, later) is True
    assert occurs_again(memory, condition) is False
    assert occurs_again(memory, finding(level=AlertLevel.CRITICAL)) is True
    assert occurs_again(memory, finding(level=None)) is False


def _cleared_through(ev: Evaluator, alert: AlertRaised) -> None:
    assert ev.handle(clearing(alert)) == []
    assert ev.book.firing() == []


def test_a_failed_stage_cleared_then_failing_again_on_retry() -> None:
    ev, clock = evaluator()
    failure = completed(success=False, t=10)
    (alert,) = raised(ev.handle(failure))
    _cleared_through(ev, alert)

    assert ev.handle(failure) == []  # redelivered
    clock.set(at(100))
    (retry,) = raised(ev.handle(completed(success=False, t=90, attempt=2)))
    assert retry.alert_id != alert.alert_id
    assert retry.metadata["attempt"] == 2


def test_a_cleared_stuck_session_stays_quiet_until_another_session_is_stuck() -> None:
    ev, clock = evaluator()
    ev.handle(started("hung", t=0))
    clock.set(at(31 * 60))
    (alert,) = raised(ev.tick())
    _cleared_through(ev, alert)

    for minute in range(32, 90):
        clock.set(at(minute * 60))
        assert ev.tick() == [], minute
    assert ev.handle(completed("hung", stage=Stage.CLEANUP, t=90 * 60)) == []  # nothing to resolve
    ev.handle(started("other", t=90 * 60))
    clock.set(at(121 * 60))
    (other,) = raised(ev.tick())
    assert other.session_id == "other"


def test_the_alerters_own_resolutions_read_back_change_nothing() -> None:
    ev, _ = evaluator()
    (alert,) = raised(ev.handle(completed(success=False, t=10)))

    assert ev.handle(clearing(alert, actor=None)) == []
    assert [a.alert_id for a in ev.book.firing()] == [alert.alert_id]


def _fields(alert: AlertRaised) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in alert.__dataclass_fields__}


def test_a_restarted_alerter_forgets_a_cleared_stuck_session_when_it_ends() -> None:
    ev, clock = evaluator()
    ev.handle(started("hung", t=0))
    clock.set(at(31 * 60))
    (alert,) = raised(ev.tick())

    restarted, _ = evaluator(clock)
    restarted.restore([alert, clearing(alert)])
    assert restarted.book.cleared() == [alert.fingerprint]
    restarted.handle(completed("hung", stage=Stage.CLEANUP, t=40 * 60))
    assert restarted.book.cleared() == []
