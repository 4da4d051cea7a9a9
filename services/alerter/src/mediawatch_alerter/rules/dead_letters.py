"""Dead letters: more messages of one topic dead-lettered for one reason than the threshold,
within the window.

The alerter reads the dead-letter topic whole (headers included): each dead letter counts
at the time it was dead-lettered, so a restarted alerter reading older ones back does not
count those already out of the window.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import AlertLevel

NAME = "dead_letters"

Key = tuple[str, str]
"""(origin topic, reason class)."""


class DeadLetterRule(Rule):
    """A WARNING per (origin topic, reason) with more than ``threshold`` dead letters in the
    last ``window_seconds``; it resolves once the count in the window is back at or below."""

    def __init__(self, threshold: int, window_seconds: float) -> None:
        # An alert firing before a restart, whose dead letters the new process does not read
        # again, resolves once a window passes without one.
        self.emits = {NAME: window_seconds}
        self._threshold = threshold
        self._window = timedelta(seconds=window_seconds)
        self._times: dict[Key, deque[datetime]] = {}

    def on_dead_letter(
        self, letter: DeadLetter, now: datetime, level_of: LevelOf
    ) -> Sequence[Finding]:
        key = (letter.origin_topic, letter.reason_class)
        if letter.failed_at < now - self._window:
            return ()
        times = self._times.setdefault(key, deque())
        times.append(letter.failed_at)
        return [self._finding(key, now)]

    def on_tick(self, now: datetime, level_of: LevelOf) -> Sequence[Finding]:
        findings = [self._finding(key, now) for key in list(self._times)]
        for key in [k for k, times in self._times.items() if not times]:
            del self._times[key]
        return findings

    def _finding(self, key: Key, now: datetime) -> Finding:
        times = self._times[key]
        oldest = now - self._window
        while times and times[0] < oldest:
            times.popleft()
        topic, reason = key
        labels = {"topic": topic, "reason": reason}
        count = len(times)
        if count <= self._threshold:
            why = f"{count} dead letter(s) in the window <= {self._threshold}"
            return Finding(rule=NAME, labels=labels, level=None, reason=why)
        minutes = self._window.total_seconds() / 60
        return Finding(
            rule=NAME,
            labels=labels,
            level=AlertLevel.WARNING,
            title=f"Dead Letters: {topic}",
            message=(
                f"{count} messages of {topic} dead-lettered in the last {minutes:g} min "
                f"({reason}; threshold {self._threshold}); see mediawatch deadletters list"
            ),
            metadata={"count": count, "threshold": self._threshold},
            valid_for_seconds=self._window.total_seconds(),
        )
