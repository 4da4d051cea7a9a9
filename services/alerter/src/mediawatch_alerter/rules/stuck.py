"""Stuck session: started more than ``MONITORING_STUCK_SESSION_MINUTES`` ago, not finished.

Uses :func:`mediawatch_common.stuck.is_stuck`, the definition the API, the dashboard and the
health check share. Evaluated on the clock's ticks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import (
    AlertLevel,
    Event,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
)
from mediawatch_common.stuck import is_stuck

NAME = "stuck_session"


@dataclass(slots=True)
class _Session:
    user_id: str
    stage: Stage | None
    host: str
    started: datetime
    progress: datetime


class StuckSessionRule(Rule):
    """Tracks sessions from their first event until CLEANUP completes or a stage fails."""

    def __init__(self, stuck_after_seconds: float) -> None:
        self._after = stuck_after_seconds
        self._sessions: dict[str, _Session] = {}
        self.live = True
        """Tick evaluation runs only while True (the edge turns it off while catching up)."""
        self.emits = {NAME: None}

    @property
    def tracked(self) -> int:
        """Number of sessions being watched."""
        return len(self._sessions)

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        if isinstance(event, TranscodeRequested | StageStarted):
            self._seen(event)
            return ()
        if not isinstance(event, StageCompleted):
            return ()
        session = self._sessions.get(event.session_id)
        if session is not None:
            session.progress = max(session.progress, event.event_time)
        if event.stage is not Stage.CLEANUP and event.success:
            return ()
        # Also for a session not tracked (seen first before a restart): its alert, or the
        # memory of its clearing, ends with it.
        self._sessions.pop(event.session_id, None)
        outcome = "finished" if event.success else f"failed at {event.stage.label}"
        return (
            Finding(
                rule=NAME,
                labels={"session_id": event.session_id},
                level=None,
                reason=f"session {outcome}",
            ),
        )

    def _seen(self, event: TranscodeRequested | StageStarted) -> None:
        known = self._sessions.get(event.session_id)
        stage = event.stage if isinstance(event, StageStarted) else None
        if known is None:
            self._sessions[event.session_id] = _Session(
                event.user_id, stage, event.producer.host, event.event_time, event.event_time
            )
            return
        known.started = min(known.started, event.event_time)
        known.progress = max(known.progress, event.event_time)
        if stage is not None:
            known.stage, known.host = stage, event.producer.host

    def on_tick(self, now: datetime, level_of: LevelOf) -> Sequence[Finding]:
        if not self.live:
            return ()
        minutes = self._after / 60
        return [
            self._finding(session_id, s, now)
            for session_id, s in self._sessions.items()
            if is_stuck(s.started, False, now, minutes)
        ]

    def _finding(self, session_id: str, s: _Session, now: datetime) -> Finding:
        running = (now - s.started).total_seconds() / 60
        where = s.stage.label if s.stage else "queued"
        return Finding(
            rule=NAME,
            labels={"session_id": session_id},
            level=AlertLevel.WARNING,
            title=f"Stuck Session: {session_id}",
            message=(
                f"Session {session_id} started {running:.0f} minutes ago and has not finished "
                f"(limit {self._after / 60:.0f}); now at {where}"
            ),
            context={"host": s.host},
            session_id=session_id,
            user_id=s.user_id,
            stage=s.stage,
            metadata={
                "elapsed_seconds": round((now - s.started).total_seconds(), 1),
                "minutes_without_progress": round((now - s.progress).total_seconds() / 60, 1),
            },
            starts_at=s.started + timedelta(seconds=self._after),
        )
