"""Batches grouped into table rows: merged stage runs, minute rollups, next positions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    default_codec,
    encode_event,
)
from mediawatch_common.kafka import Record
from mediawatch_projector import build_rows
from mediawatch_projector.message_decoding import Decoded, make_decoder
from mediawatch_projector.pipeline_rows import RUN_COLUMNS

pytestmark = pytest.mark.unit

T0 = datetime(2024, 1, 1, 10, 5, 30, tzinfo=UTC)
WHO = Producer(service="t", host="h", pid=1)


def records(*events: Event, partition: int = 0, first: int = 10) -> list[Record[Decoded]]:
    return [Record("p", partition, first + i, None, 0, e) for i, e in enumerate(events)]


def test_start_and_completion_merge_into_one_run_and_one_minute() -> None:
    common: dict[str, Any] = {
        "producer": WHO,
        "session_id": "s",
        "user_id": "u",
        "stage": Stage.MERGING,
    }
    rows = build_rows(
        records(
            StageStarted(**common, event_time=T0, video_count=3),
            StageCompleted(
                **common,
                event_time=T0,
                started_at=T0,
                success=False,
                duration_seconds=4.5,
                error_code=ErrorCode.FFMPEG_FAILED,
            ),
        )
    )

    [run] = rows.run_rows
    values = dict(zip(RUN_COLUMNS, run, strict=True))
    assert values["video_count"] == 3
    assert values["success"] is False
    assert values["error_code"] == "FFMPEG_FAILED"
    assert rows.minute_rows == [
        (datetime(2024, 1, 1, 10, 5, tzinfo=UTC), "merging", "FFMPEG_FAILED", 1, 0, 1, 4.5)
    ]
    assert len(rows.pipeline_events) == 2
    assert rows.positions == {("p", 0): 12}


def test_positions_are_per_partition_and_past_the_last_offset() -> None:
    event = StageStarted(producer=WHO, session_id="s", user_id="u", stage=Stage.UPLOAD)
    rows = build_rows(records(event, event) + records(event, partition=3, first=99))

    assert rows.positions == {("p", 0): 12, ("p", 3): 100}


def test_the_lowest_offset_read_from_each_partition_is_kept_even_out_of_order() -> None:
    event = StageStarted(producer=WHO, session_id="s", user_id="u", stage=Stage.UPLOAD)
    late = records(event, first=4)
    rows = build_rows(records(event, event) + late + records(event, partition=3, first=99))

    assert rows.lows == {("p", 0): 4, ("p", 3): 99}
    assert rows.positions == {("p", 0): 12, ("p", 3): 100}


def test_plain_records_give_the_rows_typed_events_give() -> None:
    common: dict[str, Any] = {
        "producer": WHO,
        "session_id": "s",
        "user_id": "u",
        "stage": Stage.CLEANUP,
    }
    events: list[Event] = [
        StageStarted(**common, event_time=T0, video_count=3),
        StageCompleted(
            **common,
            event_time=T0,
            started_at=T0,
            success=True,
            duration_seconds=1.5,
            peak_memory_mb=20.0,
        ),
    ]
    decode = make_decoder(default_codec())
    plain = [Record("p", 0, i, None, 0, decode(encode_event(e))) for i, e in enumerate(events)]

    typed, from_plain = build_rows(records(*events, first=0)), build_rows(plain)

    assert from_plain.run_rows == typed.run_rows
    assert from_plain.minute_rows == typed.minute_rows
    assert from_plain.sessions.rows() == typed.sessions.rows()
    assert [r[:8] for r in from_plain.pipeline_events] == [
        (str(r[0]), *r[1:8]) for r in typed.pipeline_events
    ]
    [change] = from_plain.sessions.rows()
    assert change[:6] == ("s", "u", T0, T0, 1.5, 1)
