"""Stuck session: no completed stage for longer than ``MONITORING_STUCK_SESSION_MINUTES``.

Evaluated on the clock's ticks, so a session that simply stops emitting is found even when
nothing else happens in the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.rules.base import LevelOf, Rule
from mediawatch_common.events import AlertLevel, Event, Stage, StageCompleted, StageStarted

NAME = "stuck_session"


@dataclass(slots=True)
class _Session:
    user_id: str
    stage: Stage
    host: str
    started: datetime
    progress: datetime


class StuckSessionRule(Rule):
    """Tracks active sessions from their first stage until CLEANUP completes or a stage fails."""

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
        if isinstance(event, StageStarted):
            known = self._sessions.get(event.session_id)
            if known is None:
                self._sessions[event.session_id] = _Session(
                    event.user_id,
                    event.stage,
                    event.producer.host,
                    event.event_time,
                    event.event_time,
                )
            else:
                known.stage, known.host = event.stage, event.producer.host
            return ()
        if not isinstance(event, StageCompleted):
            return ()
        session = self._sessions.get(event.session_id)
        if session is None:
            return ()
        if event.stage is Stage.CLEANUP or not event.success:
            del self._sessions[event.session_id]
        else:
            session.progress = max(session.progress, event.event_time)
        return (
            Finding(
                rule=NAME,
                labels={"session_id": event.session_id},
                level=None,
                reason=f"session progressed ({event.stage.label} completed)",
            ),
        )

    def on_tick(self, now: datetime, level_of: LevelOf) -> Sequence[Finding]:
        if not self.live:
            return ()
        return [
            self._finding(session_id, s, now)
            for session_id, s in self._sessions.items()
            if (now - s.progress).total_seconds() > self._after
        ]

    def _finding(self, session_id: str, s: _Session, now: datetime) -> Finding:
        minutes = (now - s.progress).total_seconds() / 60
        return Finding(
            rule=NAME,
            labels={"session_id": session_id},
            level=AlertLevel.WARNING,
            title=f"Stuck Session: {session_id}",
            message=(
                f"Session {session_id} has completed no stage for {minutes:.0f} minutes "
                f"(limit {self._after / 60:.0f}); last seen at {s.stage.label}"
            ),
            context={"host": s.host},
            session_id=session_id,
            user_id=s.user_id,
            stage=s.stage,
            metadata={
                "minutes_without_progress": round(minutes, 1),
                "elapsed_seconds": round((now - s.started).total_seconds(), 1),
            },
            starts_at=s.progress,
        )
