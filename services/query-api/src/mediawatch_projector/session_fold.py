"""Fold pipeline events into the state of a session (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mediawatch_common.events import Stage, StageCompleted, StageStarted, TranscodeRequested

SessionEvent = TranscodeRequested | StageStarted | StageCompleted

SESSION_COLUMNS = (
    "session_id",
    "user_id",
    "status",
    "current_stage",
    "stage_started_at",
    "started_at",
    "last_event_at",
    "stages_completed",
    "failed_stage",
    "error_code",
    "processing_seconds",
    "peak_memory_mb",
    "video_count",
)


@dataclass(frozen=True, slots=True)
class SessionState:
    """One row of the ``sessions`` table. ``status``: queued, active, completed or failed."""

    session_id: str
    user_id: str
    status: str
    current_stage: str | None
    stage_started_at: datetime | None
    started_at: datetime
    last_event_at: datetime
    stages_completed: int = 0
    failed_stage: str | None = None
    error_code: str | None = None
    processing_seconds: float = 0.0
    peak_memory_mb: float | None = None
    video_count: int | None = None

    def row(self) -> tuple[object, ...]:
        """The values in :data:`SESSION_COLUMNS` order."""
        return tuple(getattr(self, name) for name in SESSION_COLUMNS)


def fold(state: SessionState | None, event: SessionEvent) -> SessionState:
    """The session's state after ``event``."""
    if state is None:
        state = SessionState(
            session_id=event.session_id,
            user_id=event.user_id,
            status="queued",
            current_stage=None,
            stage_started_at=None,
            started_at=event.event_time,
            last_event_at=event.event_time,
        )
    state = replace(state, last_event_at=max(state.last_event_at, event.event_time))
    if isinstance(event, TranscodeRequested):
        return replace(state, video_count=len(event.inputs))
    if isinstance(event, StageStarted):
        return _started(state, event)
    return _completed(state, event)


def _started(state: SessionState, event: StageStarted) -> SessionState:
    failed_before = state.status == "failed" and event.stage is Stage.CLEANUP
    return replace(
        state,
        status="failed" if failed_before else "active",
        current_stage=event.stage.label,
        stage_started_at=event.event_time,
        video_count=event.video_count or state.video_count,
    )


def _completed(state: SessionState, event: StageCompleted) -> SessionState:
    peak = max(filter(None, (state.peak_memory_mb, event.peak_memory_mb)), default=None)
    state = replace(
        state,
        processing_seconds=state.processing_seconds + event.duration_seconds,
        peak_memory_mb=peak,
    )
    if not event.success:
        code = event.error_code.value if event.error_code else None
        return replace(
            state,
            status="failed",
            failed_stage=event.stage.label,
            error_code=code,
            current_stage=None if event.stage is Stage.CLEANUP else state.current_stage,
        )
    state = replace(state, stages_completed=state.stages_completed + 1)
    if event.stage is Stage.CLEANUP:
        status = "failed" if state.status == "failed" else "completed"
        return replace(state, status=status, current_stage=None, stage_started_at=None)
    return state
