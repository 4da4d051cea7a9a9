"""Stage runs: the runs a batch opens are COPYed, and a run stored already (its StageStarted
came again) makes the batch merge its runs instead of failing."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_common.events import (
    Event,
    Stage,
    StageCompleted,
    StageStarted,
    default_codec,
    encode_event,
)
from mediawatch_common.kafka import Record
from mediawatch_projector import Projection
from mediawatch_projector.message_decoding import Decoded, make_decoder
from mediawatch_store import connect
from tests.integration.api.samples import WHO

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _started(session: str, stage: Stage, at: datetime, videos: int | None = 3) -> StageStarted:
    return StageStarted(
        producer=WHO,
        session_id=session,
        user_id="u",
        stage=stage,
        event_time=at,
        video_count=videos,
    )


def _completed(session: str, stage: Stage, at: datetime) -> StageCompleted:
    return StageCompleted(
        producer=WHO,
        session_id=session,
        user_id="u",
        stage=stage,
        event_time=at,
        started_at=at - timedelta(seconds=4),
        success=True,
        duration_seconds=4.0,
        peak_memory_mb=64.0,
    )


def test_runs_opened_again_are_merged_and_nothing_is_lost(database_url: str, schema: str) -> None:
    batches: list[list[Event]] = [
        [_started("s", Stage.UPLOAD, T0), _started("s", Stage.ANALYSIS, T0)],
        [
            _completed("s", Stage.UPLOAD, T0 + timedelta(seconds=5)),  # opened by batch 1
            _started("s", Stage.UPLOAD, T0 + timedelta(seconds=6), videos=None),  # again
            _started("t", Stage.UPLOAD, T0 + timedelta(seconds=7)),  # new
        ],
        [_started("u", Stage.UPLOAD, T0 + timedelta(seconds=8))],  # new, after the fallback
    ]
    decode = make_decoder(default_codec())
    projection = Projection(functools.partial(connect, database_url, schema), "runs-test")
    offset = 0
    for events in batches:
        records: list[Record[Decoded]] = []
        for event in events:
            records.append(Record("pipeline", 0, offset, None, 0, decode(encode_event(event))))
            offset += 1
        projection.handle(records)
    projection.close()

    with connect(database_url, schema) as conn:
        runs = conn.execute(
            "SELECT session_id, stage, attempt, started_at, completed_at, success, video_count "
            "FROM stage_runs ORDER BY session_id, stage"
        ).fetchall()
        stored = conn.execute("SELECT count(*) FROM pipeline_events").fetchone()
        position = conn.execute("SELECT next_offset FROM consumer_positions").fetchone()

    assert runs == [
        ("s", "analysis", 1, T0, None, None, 3),
        ("s", "upload", 1, T0 + timedelta(seconds=6), T0 + timedelta(seconds=5), True, 3),
        ("t", "upload", 1, T0 + timedelta(seconds=7), None, None, 3),
        ("u", "upload", 1, T0 + timedelta(seconds=8), None, None, 3),
    ]
    assert stored == (6,)
    assert position == (6,)
