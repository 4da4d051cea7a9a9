"""Run the alerter's evaluator over recorded events, with their event times as the clock.

Pure: no broker, no wall clock. The replay clock jumps to each event's time and, between
events, moves in steps of the tick interval so that ``for`` durations, expiries and stuck
sessions fire when they would have fired live.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from mediawatch_alerter.evaluator import Evaluator, Output
from mediawatch_common.events import Event
from mediawatch_common.wall_clock import ManualClock


class ReplayRun:
    """Feeds events in event-time order to one evaluator driven by a :class:`ManualClock`."""

    def __init__(self, evaluator: Evaluator, clock: ManualClock, tick_seconds: float) -> None:
        if tick_seconds <= 0:
            raise ValueError("tick_seconds must be positive")
        self.evaluator = evaluator
        self._clock = clock
        self._step = timedelta(seconds=tick_seconds)
        self._next_tick = clock.now() + self._step
        self.events = 0
        # The replay is the history itself: time-based rules judge it as live data.
        evaluator.set_live(True)

    def advance(self, until: datetime) -> list[Output]:
        """Tick at every interval boundary up to ``until``, then set the clock to it."""
        out: list[Output] = []
        while self._next_tick <= until:
            self._clock.set(self._next_tick)
            out += self.evaluator.tick()
            self._next_tick += self._step
        if until > self._clock.now():
            self._clock.set(until)
        return out

    def feed(self, event: Event) -> list[Output]:
        """Move the clock to the event's time (never backwards) and evaluate the event."""
        out = self.advance(event.event_time)
        self.events += 1
        return out + self.evaluator.handle(event)


def replay(
    evaluator: Evaluator,
    clock: ManualClock,
    events: Iterable[Event],
    *,
    tick_seconds: float,
    end: datetime | None = None,
) -> list[Output]:
    """Everything the evaluator would have published for ``events`` (in event-time order),
    then for the time passing up to ``end`` (when given)."""
    run = ReplayRun(evaluator, clock, tick_seconds)
    out: list[Output] = []
    for event in events:
        out += run.feed(event)
    if end is not None:
        out += run.advance(end)
    return out
