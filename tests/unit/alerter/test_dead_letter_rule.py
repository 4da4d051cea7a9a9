"""The dead_letters rule: over the threshold within the window fires, back under resolves."""

from __future__ import annotations

import pytest

from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved
from mediawatch_common.wall_clock import ManualClock

from .helpers import T0, at, evaluator

pytestmark = pytest.mark.unit


def letter(
    t: float, topic: str = "mw.pipeline", reason: str = "DecodeError: bad_marker: x"
) -> DeadLetter:
    return DeadLetter(topic="mw.deadletter", partition=0, offset=int(t), timestamp_ms=0, key=None,
                      value=b"", headers=(), reason=reason, origin_topic=topic, origin_partition=0,
                      origin_offset=0, consumer_group="g", failed_at=at(t))  # fmt: skip


def test_more_than_the_threshold_in_the_window_fires_once_and_resolves_when_it_ages_out() -> None:
    clock = ManualClock(T0)
    ev, _ = evaluator(clock, deadletter_threshold=2, deadletter_window_seconds=600)

    assert ev.handle(letter(0)) == []
    assert ev.handle(letter(1)) == []
    raised = ev.handle(letter(2))
    assert len(raised) == 1
    alert = raised[0]
    assert isinstance(alert, AlertRaised)
    assert (alert.rule, alert.level, alert.labels["topic"], alert.labels["reason"]) == (
        "dead_letters", AlertLevel.WARNING, "mw.pipeline", "DecodeError: bad_marker")  # fmt: skip
    assert alert.metadata["count"] == 3
    assert ev.handle(letter(3)) == []  # still firing: not raised again
    assert ev.handle(letter(4, topic="mw.alerts")) == []  # another topic counts apart

    clock.set(at(602))  # the first two aged out: 2 left, not more than the threshold
    resolved = ev.tick()
    assert [type(e) for e in resolved] == [AlertResolved]


def test_dead_letters_older_than_the_window_are_not_counted() -> None:
    clock = ManualClock(at(3600))
    ev, _ = evaluator(clock, deadletter_threshold=0, deadletter_window_seconds=600)
    assert ev.handle(letter(0)) == []  # read back after a restart: long gone
    assert [type(e) for e in ev.handle(letter(3500))] == [AlertRaised]


def test_an_alert_firing_before_a_restart_resolves_after_a_quiet_window() -> None:
    clock = ManualClock(T0)
    before, _ = evaluator(clock, deadletter_threshold=0, deadletter_window_seconds=600)
    (raised,) = before.handle(letter(0))
    after, _ = evaluator(clock, deadletter_threshold=0, deadletter_window_seconds=600)
    after.restore([raised])  # the dead letter itself was committed: not read again
    clock.set(at(599))
    assert after.tick() == []
    clock.set(at(600))
    assert [type(e) for e in after.tick()] == [AlertResolved]
