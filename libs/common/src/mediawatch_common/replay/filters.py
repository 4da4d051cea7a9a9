"""Which events a replay keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mediawatch_common.events import AlertLevel, Event, Stage, StageCompleted


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

    def matches(self, event: Event) -> bool:
        """True when ``event`` passes every criterion that was given."""
        if self.event_types and type(event).__name__ not in self.event_types:
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


def _keeps(wanted: frozenset[object], value: object) -> bool:
    return not wanted or value in wanted


def failed_sessions(events: list[Event]) -> set[str]:
    """Sessions with at least one failed stage among ``events``."""
    return {e.session_id for e in events if isinstance(e, StageCompleted) and not e.success}


def in_sessions(event: Event, sessions: set[str]) -> bool:
    """True when ``event`` belongs to one of ``sessions`` (alerts by their session too)."""
    return getattr(event, "session_id", None) in sessions
