"""Sessions merged in SQL once per batch hold what folding the events one by one gives,
with batch boundaries inside sessions, event times out of order and redelivered records."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any, cast

import pytest

from mediawatch_common.events import (
    ClipInput,
    ErrorCode,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    default_codec,
    encode_event,
)
from mediawatch_common.kafka import Record
from mediawatch_projector import Projection, fold
from mediawatch_projector.message_decoding import Decoded, make_decoder
from mediawatch_projector.session_fold import SESSION_COLUMNS, SessionEvent
from mediawatch_store import connect
from tests.integration.api.samples import WHO, session_events

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _histories() -> dict[str, list[SessionEvent]]:
    """Sessions of every shape: completed, failed then cleaned up, retried, in progress, and
    one whose events carry times out of order."""
    common: dict[str, Any] = {"producer": WHO, "session_id": "odd", "user_id": "u9"}
    odd: list[SessionEvent] = [
        TranscodeRequested(
            **common,
            event_time=T0 + timedelta(seconds=5),
            inputs=(ClipInput(uri="file:///a", filename="a.mp4", size_bytes=1),) * 2,
        ),
        StageStarted(**common, event_time=T0, stage=Stage.UPLOAD, video_count=2),
        StageCompleted(
            **common,
            event_time=T0 - timedelta(seconds=30),
            stage=Stage.UPLOAD,
            started_at=T0,
            success=False,
            duration_seconds=1.5,
            error_code=ErrorCode.TIMEOUT_ERROR,
            peak_memory_mb=50.0,
        ),
        StageStarted(**common, event_time=T0 + timedelta(seconds=40), stage=Stage.UPLOAD),
        StageCompleted(
            **common,
            event_time=T0 + timedelta(seconds=20),
            stage=Stage.UPLOAD,
            attempt=2,
            started_at=T0,
            success=True,
            duration_seconds=2.25,
            peak_memory_mb=40.0,
        ),
    ]
    histories: dict[str, list[SessionEvent]] = {"odd": odd}
    for n, fail_at in enumerate([None, Stage.MERGING, Stage.CLEANUP, Stage.UPLOAD]):
        events = session_events(f"s{n}", T0 + timedelta(minutes=n), fail_at)
        histories[f"s{n}"] = [e for e in events if isinstance(e, StageStarted | StageCompleted)]
    histories["s1"] += cast(
        "list[SessionEvent]", session_events("s1", T0 + timedelta(minutes=9))[-2:]
    )  # cleanup after
    histories["s3"] = histories["s3"][:-1]  # still running
    return histories


def test_batch_merges_equal_the_event_by_event_fold(database_url: str, schema: str) -> None:
    histories = _histories()
    # Interleave the sessions as one partition would carry them.
    ordered = [e for i in range(20) for h in histories.values() for e in h[i : i + 1]]
    decode = make_decoder(default_codec())
    records: list[Record[Decoded]] = [
        Record("pipeline", 0, offset, None, 0, decode(encode_event(event)))
        for offset, event in enumerate(ordered)
    ]
    projection = Projection(functools.partial(connect, database_url, schema), "fold-test")
    # Batches cut inside sessions; the second and fourth start with records already written.
    for start, end in [(0, 7), (4, 15), (15, 16), (10, 30), (30, len(records))]:
        projection.handle(records[start:end])
    projection.close()

    with connect(database_url, schema) as conn:
        stored = {
            row[0]: row
            for row in conn.execute(f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions")
        }
        events = conn.execute("SELECT count(*), count(DISTINCT event_id) FROM pipeline_events")
        counted = events.fetchone()

    expected = {sid: reduce(fold, history, None) for sid, history in histories.items()}
    assert counted == (len(records), len(records))
    assert projection.written == len(records)
    assert set(stored) == set(expected)
    for sid, state in expected.items():
        assert state is not None
        want, got = state.row(), stored[sid]
        processing = SESSION_COLUMNS.index("processing_seconds")
        assert got[processing] == pytest.approx(want[processing])
        assert (
            got[:processing] + got[processing + 1 :] == want[:processing] + want[processing + 1 :]
        )
    assert stored["odd"][2] == "active"  # a retry after a failure
    assert stored["s1"][2] == "failed"  # failed at merging, then cleaned up
