"""Session state folded from pipeline events."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediawatch_common.events import (
    ClipInput,
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    event_name,
    to_record,
)
from mediawatch_projector import Rows, fold
from mediawatch_projector.message_decoding import plain_values
from mediawatch_projector.pipeline_rows import add_pipeline
from mediawatch_projector.session_changes import SessionChange, apply, status_after
from mediawatch_projector.session_fold import SessionEvent, SessionState

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


# --- one change per batch (what the store merges) equals the event-by-event fold -------------

STAGE_LIST = list(Stage)


def _requested(at: datetime, clips: int) -> TranscodeRequested:
    inputs = tuple(
        ClipInput(uri=f"file:///{i}", filename=f"{i}.mp4", size_bytes=1) for i in range(clips)
    )
    return TranscodeRequested(
        producer=WHO, event_time=at, session_id="s", user_id="u", inputs=inputs
    )


@st.composite
def session_histories(draw: st.DrawFn) -> list[SessionEvent]:
    """Any sequence of one session's pipeline events: retries, failures, cleanup after a
    failure, event times out of order, missing memory figures, requests in the middle."""
    events: list[SessionEvent] = []
    for _ in range(draw(st.integers(1, 16))):
        at = T0 + timedelta(seconds=draw(st.integers(-600, 600)))
        stage = draw(st.sampled_from(STAGE_LIST))
        kind = draw(st.sampled_from(["requested", "started", "completed"]))
        common: dict[str, Any] = {
            "producer": WHO,
            "event_time": at,
            "session_id": "s",
            "user_id": "u",
        }
        if kind == "requested":
            events.append(_requested(at, draw(st.integers(0, 3))))
        elif kind == "started":
            count = draw(st.sampled_from([None, 0, 2, 3]))
            events.append(StageStarted(**common, stage=stage, video_count=count))
        else:
            ok = draw(st.booleans())
            code = None if ok else draw(st.sampled_from([None, ErrorCode.TIMEOUT_ERROR]))
            events.append(
                StageCompleted(
                    **common,
                    stage=stage,
                    started_at=at,
                    success=ok,
                    duration_seconds=draw(st.sampled_from([0.0, 0.5, 1.25, 60.0])),
                    error_code=code,
                    peak_memory_mb=draw(st.sampled_from([None, 0.0, 12.5, 300.0])),
                )
            )
    return events


def _changes(events: list[SessionEvent]) -> SessionChange:
    rows = Rows()
    for event in events:
        name = event_name(event)
        add_pipeline(rows, "t", 0, 0, name, plain_values(name, to_record(event)), b"")
    return rows.sessions.by_session["s"]


@settings(max_examples=500)
@given(session_histories(), st.lists(st.integers(1, 16), max_size=4), st.booleans())
def test_batches_merged_one_change_each_equal_the_event_by_event_fold(
    events: list[SessionEvent], cuts: list[int], stored_first: bool
) -> None:
    """The store applies each batch's change to what is stored; whatever the batch
    boundaries, that gives the state folding the events one by one gives."""
    state = reduce(fold, events[:1], None) if stored_first else None
    rest = events[1:] if stored_first else events
    bounds = sorted({0, len(rest), *(c for c in cuts if c < len(rest))})
    for start, end in itertools.pairwise(bounds):
        state = apply(state, _changes(rest[start:end]))

    expected = reduce(fold, events, None)
    assert state is not None
    assert expected is not None
    assert replace(state, processing_seconds=0.0) == replace(expected, processing_seconds=0.0)
    assert state.processing_seconds == pytest.approx(expected.processing_seconds)


def test_status_transitions_compose_like_the_events() -> None:
    change = SessionChange("s", "u", T0, T0)
    change._then("set", "failed")
    change._then("unless_failed", "active")  # cleanup started after the failure
    assert (change.status_mode, change.status) == ("set", "failed")
    change._then("set", "active")  # a retry
    change._then("unless_failed", "completed")
    assert (change.status_mode, change.status) == ("set", "completed")
    assert status_after("failed", "unless_failed", "completed") == "failed"
    assert status_after("active", "unless_failed", "completed") == "completed"
    assert status_after("active", "keep", None) == "active"
