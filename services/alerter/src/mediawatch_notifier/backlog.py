"""What a notifier starting a term learns of the work its group left unfinished.

The group's committed offsets mark what an earlier holder (or this instance before a restart)
finished; the messages between them and the topic's end at the start of the term are the
backlog, read again by the new holder. An alert raised in the backlog is *owed*: it may have
fired and resolved while no notifier was working, so it is announced even when its
resolution is read before its group's first message. ``AlertDelivered`` records on the alerts
topic tell which sinks already got it (the earlier holder delivered it but stopped before
committing), so those sinks do not get its firing again; a sink recorded as sent its
resolution (a message announcing only resolutions) is never sent its firing after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from mediawatch_common.events import AlertDelivered, AlertRaised, Event

Reader = Callable[[Mapping[int, int] | None], Iterable[tuple[int, int, Event]]]
"""Reads the alerts topic up to the term's ends: (partition, offset, event) from the given
offsets (partition -> offset; a partition not given, or ``None``: from its beginning)."""


class Reading(Enum):
    """How an alert was read: live, owed from a takeover's backlog, or a new group's history."""

    LIVE = "live"
    OWED = "owed"
    HISTORY = "history"


@dataclass(slots=True)
class Backlog:
    """The committed and end offsets (partition -> offset) of the alerts topic at a term's
    start, the alerts raised in between (owed), the sinks that got each of those, and the
    sinks that got each one's resolution."""

    committed: Mapping[int, int]
    ends: Mapping[int, int]
    owed: frozenset[str] = frozenset()
    sinks: dict[str, set[str]] = field(default_factory=dict)
    resolved: dict[str, set[str]] = field(default_factory=dict)

    @property
    def continuing(self) -> bool:
        """Whether the group committed before: a restart or a takeover, not a new group."""
        return bool(self.committed)

    def finished(self, partition: int, offset: int) -> bool:
        """Whether the group had finished with this message (its commit is past it)."""
        return offset < self.committed.get(partition, 0)

    def reading(self, partition: int, offset: int) -> Reading:
        """How a message at this position is read in this term."""
        if offset >= self.ends.get(partition, 0):
            return Reading.LIVE
        return Reading.OWED if self.continuing else Reading.HISTORY

    def replay(self, read: Reader, restore: Callable[[Event], None]) -> None:
        """Learn the owed alerts from the backlog, then read the topic from its beginning:
        ``restore`` each message the group finished, keep the deliveries of owed alerts
        (wherever they are: a partition's commit can pass a delivery record while the
        alert it lists, on another partition, is still uncommitted)."""
        self.owed = owed(event for _, _, event in read(self.committed))
        for partition, offset, event in read(None):
            if self.finished(partition, offset):
                restore(event)
            self.note(event)

    def note(self, event: Event) -> None:
        """Learn from one event read back: a delivery listing owed alerts. A message listing
        an alert firing is recorded ``firing``, so one recorded ``resolved`` announced each
        of its alerts resolved."""
        if isinstance(event, AlertDelivered):
            for alert_id in self.owed.intersection(event.alert_ids):
                self.sinks.setdefault(alert_id, set()).add(event.sink)
                if event.status == "resolved":
                    self.resolved.setdefault(alert_id, set()).add(event.sink)

    def delivered(self) -> dict[str, frozenset[str]]:
        """Per owed alert, the sinks a delivery listing it is recorded for."""
        return {i: frozenset(s) for i, s in self.sinks.items()}

    def resolutions(self) -> dict[str, frozenset[str]]:
        """Per owed alert, the sinks a delivery of its resolution is recorded for."""
        return {i: frozenset(s) for i, s in self.resolved.items()}


def owed(events: Iterable[Event]) -> frozenset[str]:
    """The ids of the alerts raised among ``events`` (the backlog)."""
    return frozenset(e.alert_id for e in events if isinstance(e, AlertRaised))
