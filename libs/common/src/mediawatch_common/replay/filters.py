"""Which events a replay keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mediawatch_common.deadletters.letters import DeadLetter
from mediawatch_common.events import AlertLevel, Event, Stage, StageCompleted

Replayed = Event | DeadLetter
"""What a replay shows: events, and the dead letters of the dead-letter topic as read."""


@dataclass(frozen=True, slots=True)
class ReplayFilter:
    """Every given criterion must hold; an empty filter keeps everything."""

    sessions: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    stages: frozenset[Stage] = frozenset()
    levels: frozenset[AlertLevel] = frozenset()
    event_types: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, event: Replayed) -> bool:
        """True when ``event`` passes every criterion that was given."""
        if self.event_types and _type_name(event) not in self.event_types:
            return False
        if self.since is not None and event.event_time < self.since:
            return False
        if self.until is not None and event.event_time >= self.until:
            return False
        return (
            _keeps(self.sessions, getattr(event, "session_id", None))
            and _keeps(self.users, getattr(event, "user_id", None))
            and _keeps(self.stages, getattr(event, "stage", None))
            and _keeps(self.levels, getattr(event, "level", None))
        )


def _type_name(event: Replayed) -> str:
    return type(event).__name__


def _keeps(wanted: frozenset[object], value: object) -> bool:
    return not wanted or value in wanted


def failed_sessions(events: Sequence[Replayed]) -> set[str]:
    """Sessions with at least one failed stage among ``events``."""
    return {e.session_id for e in events if isinstance(e, StageCompleted) and not e.success}


def in_sessions(event: Replayed, sessions: set[str]) -> bool:
    """True when ``event`` belongs to one of ``sessions`` (alerts by their session too)."""
    return getattr(event, "session_id", None) in sessions
