"""One batch's pipeline events folded into one change per session (pure).

The batch writes merge each :class:`SessionChange` into ``sessions`` with one ``MERGE``,
whatever the stored state; :func:`apply` is that merge in Python and equals folding the same
events one by one with :func:`~mediawatch_projector.session_fold.fold`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mediawatch_projector.session_fold import SessionState

CLEANUP = "cleanup"

CHANGE_COLUMNS = (
    "session_id",
    "user_id",
    "first_at",
    "last_at",
    "processing",
    "completed",
    "peak",
    "video_set",
    "video_count",
    "failure_set",
    "failed_stage",
    "error_code",
    "status_mode",
    "status",
    "stage_set",
    "current_stage",
    "stage_at_set",
    "stage_started_at",
)


@dataclass(slots=True)
class SessionChange:
    """What one batch did to one session (``*_set``: the batch gave that field a value)."""

    session_id: str
    user_id: str
    first_at: datetime
    last_at: datetime
    processing: float = 0.0
    completed: int = 0
    peak: float | None = None
    video_set: bool = False
    video_count: int | None = None
    failure_set: bool = False
    failed_stage: str | None = None
    error_code: str | None = None
    status_mode: str = "keep"
    status: str | None = None
    stage_set: bool = False
    current_stage: str | None = None
    stage_at_set: bool = False
    stage_started_at: datetime | None = None

    def row(self) -> tuple[object, ...]:
        """The values in :data:`CHANGE_COLUMNS` order."""
        return (
            self.session_id,
            self.user_id,
            self.first_at,
            self.last_at,
            self.processing,
            self.completed,
            self.peak,
            self.video_set,
            self.video_count,
            self.failure_set,
            self.failed_stage,
            self.error_code,
            self.status_mode,
            self.status,
            self.stage_set,
            self.current_stage,
            self.stage_at_set,
            self.stage_started_at,
        )

    def _then(self, mode: str, status: str) -> None:
        """Compose the batch's status transition with one more (``set`` or ``unless_failed``)."""
        if mode == "unless_failed" and self.status_mode == "set" and self.status == "failed":
            return
        if mode == "unless_failed" and self.status_mode == "set":
            mode = "set"
        self.status_mode, self.status = mode, status


class SessionChanges:
    """The changes of one batch, by session, fed in consumption order."""

    def __init__(self) -> None:
        self.by_session: dict[str, SessionChange] = {}

    def __bool__(self) -> bool:
        return bool(self.by_session)

    def rows(self) -> list[tuple[object, ...]]:
        """One row per session in :data:`CHANGE_COLUMNS` order."""
        return [change.row() for change in self.by_session.values()]

    def _change(self, session_id: str, user_id: str, at: datetime) -> SessionChange:
        change = self.by_session.get(session_id)
        if change is None:
            change = self.by_session[session_id] = SessionChange(session_id, user_id, at, at)
        elif at > change.last_at:
            change.last_at = at
        return change

    def requested(self, session_id: str, user_id: str, at: datetime, video_count: int) -> None:
        """A TranscodeRequested of ``video_count`` clips."""
        change = self._change(session_id, user_id, at)
        change.video_set, change.video_count = True, video_count

    def started(
        self, session_id: str, user_id: str, at: datetime, stage: str, video_count: int | None
    ) -> None:
        """A StageStarted (``stage`` is the lower-case label)."""
        change = self._change(session_id, user_id, at)
        change._then("unless_failed" if stage == CLEANUP else "set", "active")
        change.stage_set, change.current_stage = True, stage
        change.stage_at_set, change.stage_started_at = True, at
        if video_count:
            change.video_set, change.video_count = True, video_count

    def completed(
        self,
        session_id: str,
        user_id: str,
        at: datetime,
        stage: str,
        success: bool,
        duration: float,
        error_code: str | None,
        peak: float | None,
    ) -> None:
        """A StageCompleted (``stage`` is the lower-case label)."""
        change = self._change(session_id, user_id, at)
        change.processing += duration
        if peak and (change.peak is None or peak > change.peak):
            change.peak = peak
        if not success:
            change._then("set", "failed")
            change.failure_set, change.failed_stage, change.error_code = True, stage, error_code
            if stage == CLEANUP:
                change.stage_set, change.current_stage = True, None
            return
        change.completed += 1
        if stage == CLEANUP:
            change._then("unless_failed", "completed")
            change.stage_set, change.current_stage = True, None
            change.stage_at_set, change.stage_started_at = True, None


def status_after(current: str, mode: str, status: str | None) -> str:
    """``session_status_after`` (migration 0003) in Python."""
    if mode == "set" and status is not None:
        return status
    if mode == "unless_failed" and status is not None:
        return "failed" if current == "failed" else status
    return current


def apply(state: SessionState | None, change: SessionChange) -> SessionState:
    """The stored state after ``change``: the store's ``MERGE``, in Python."""
    if state is None:
        state = SessionState(
            session_id=change.session_id,
            user_id=change.user_id,
            status="queued",
            current_stage=None,
            stage_started_at=None,
            started_at=change.first_at,
            last_event_at=change.first_at,
        )
    peaks = [p for p in (state.peak_memory_mb, change.peak) if p is not None]
    return replace(
        state,
        status=status_after(state.status, change.status_mode, change.status),
        current_stage=change.current_stage if change.stage_set else state.current_stage,
        stage_started_at=(
            change.stage_started_at if change.stage_at_set else state.stage_started_at
        ),
        last_event_at=max(state.last_event_at, change.last_at),
        stages_completed=state.stages_completed + change.completed,
        failed_stage=change.failed_stage if change.failure_set else state.failed_stage,
        error_code=change.error_code if change.failure_set else state.error_code,
        processing_seconds=state.processing_seconds + change.processing,
        peak_memory_mb=max(peaks) if peaks else None,
        video_count=change.video_count if change.video_set else state.video_count,
    )
