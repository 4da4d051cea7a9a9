"""Session state folded from pipeline events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest

from mediawatch_api.projector import fold
from mediawatch_api.projector.sessions import SessionEvent, SessionState
from mediawatch_common.events import ErrorCode, Producer, Stage, StageCompleted, StageStarted

pytestmark = pytest.mark.unit

T0 = datetime(2024, 1, 1, tzinfo=UTC)
WHO = Producer(service="t", host="h", pid=1)


def started(stage: Stage, minute: int) -> StageStarted:
    return StageStarted(
        producer=WHO,
        event_time=T0 + timedelta(minutes=minute),
        session_id="s",
        user_id="u",
        stage=stage,
    )


def completed(stage: Stage, minute: int, ok: bool = True) -> StageCompleted:
    return StageCompleted(
        producer=WHO,
        event_time=T0 + timedelta(minutes=minute),
        session_id="s",
        user_id="u",
        stage=stage,
        started_at=T0,
        success=ok,
        duration_seconds=60.0,
        error_code=None if ok else ErrorCode.TIMEOUT_ERROR,
        peak_memory_mb=float(minute),
    )


def run(events: list[SessionEvent]) -> SessionState:
    state = reduce(fold, events, None)
    assert state is not None
    return state


def test_a_session_through_every_stage_completes() -> None:
    events: list[SessionEvent] = []
    for i, stage in enumerate(Stage):
        events += [started(stage, 2 * i), completed(stage, 2 * i + 1)]

    state = run(events)

    assert state.status == "completed"
    assert state.stages_completed == 7
    assert state.current_stage is None
    assert state.processing_seconds == 420.0
    assert state.peak_memory_mb == 13.0
    assert state.started_at == T0
    assert state.last_event_at == T0 + timedelta(minutes=13)


def test_a_session_in_progress_is_active_at_its_stage() -> None:
    state = run([started(Stage.UPLOAD, 0), completed(Stage.UPLOAD, 1), started(Stage.ANALYSIS, 2)])

    assert (state.status, state.current_stage) == ("active", "analysis")
    assert state.stage_started_at == T0 + timedelta(minutes=2)


def test_a_failure_stays_failed_through_cleanup() -> None:
    state = run(
        [
            started(Stage.MERGING, 0),
            completed(Stage.MERGING, 1, ok=False),
            started(Stage.CLEANUP, 2),
            completed(Stage.CLEANUP, 3),
        ]
    )

    assert state.status == "failed"
    assert (state.failed_stage, state.error_code) == ("merging", "TIMEOUT_ERROR")


def test_a_retry_after_a_failure_is_active_again() -> None:
    state = run(
        [
            started(Stage.MERGING, 0),
            completed(Stage.MERGING, 1, ok=False),
            started(Stage.MERGING, 2),
        ]
    )

    assert state.status == "active"
