from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_common.events import (
    AlertLevel,
    AlertRaised,
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
)
from mediawatch_common.kafka import Record
from mediawatch_common.replay import (
    ReplayFilter,
    failed_sessions,
    in_sessions,
    json_line,
    parse_bound,
    timeline_line,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WHO = Producer(service="t", host="h", pid=1)


def _started(session: str = "s1", user: str = "u1", stage: Stage = Stage.UPLOAD) -> StageStarted:
    return StageStarted(producer=WHO, event_time=NOW, session_id=session, user_id=user, stage=stage)


def _failed() -> StageCompleted:
    return StageCompleted(
        producer=WHO, event_time=NOW + timedelta(seconds=45.2), session_id="s1", user_id="u1",
        stage=Stage.MERGING, started_at=NOW, success=False, duration_seconds=45.2,
        error_code=ErrorCode.FFMPEG_FAILED, error_message="FFmpeg process failed [x]",
    )  # fmt: skip


def _alert(level: AlertLevel = AlertLevel.ERROR) -> AlertRaised:
    return AlertRaised(
        producer=WHO, event_time=NOW, alert_id="alert_1_1", fingerprint="f", rule="r",
        level=level, title="Processing Failed: merging", message="m", starts_at=NOW,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T10:00:00Z", datetime(2026, 11, 30, 10, tzinfo=UTC)),
        ("2026-11-30 10:00", datetime(2026, 11, 30, 10, tzinfo=UTC)),
        ("2h", NOW - timedelta(hours=2)),
        ("90m", NOW - timedelta(minutes=90)),
        ("7d", NOW - timedelta(days=7)),
        ("1.5d", NOW - timedelta(hours=36)),
        ("0m", NOW),
    ],
)
def test_time_bounds(text: str, expected: datetime) -> None:
    assert parse_bound(text, now=NOW).time == expected


def test_offset_bound() -> None:
    bound = parse_bound("@1234")
    assert bound.offset == 1234
    assert bound.time is None


@pytest.mark.parametrize("text", ["yesterday", "@-3", "2 fortnights", ""])
def test_bad_bounds_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="ISO time"):
        parse_bound(text)


def test_empty_filter_keeps_everything() -> None:
    assert all(ReplayFilter().matches(e) for e in (_started(), _failed(), _alert()))


def test_filters_combine() -> None:
    keep = ReplayFilter(sessions=frozenset({"s1"}), stages=frozenset({Stage.MERGING}))
    assert keep.matches(_failed())
    assert not keep.matches(_started(stage=Stage.UPLOAD))
    assert not keep.matches(_started(session="s2", stage=Stage.MERGING))
    assert not keep.matches(_alert())  # an alert without a stage is not "in merging"


def test_level_and_type_filters() -> None:
    assert ReplayFilter(levels=frozenset({AlertLevel.ERROR})).matches(_alert())
    assert not ReplayFilter(levels=frozenset({AlertLevel.CRITICAL})).matches(_alert())
    assert not ReplayFilter(levels=frozenset({AlertLevel.ERROR})).matches(_started())
    only = ReplayFilter(event_types=frozenset({"StageCompleted"}))
    assert only.matches(_failed())
    assert not only.matches(_started())


def test_time_window_uses_event_time() -> None:
    window = ReplayFilter(since=NOW, until=NOW + timedelta(seconds=10))
    assert window.matches(_started())
    assert not window.matches(_failed())  # 45 s later


def test_json_line_is_plain_json_with_place_in_log() -> None:
    record: Record[Event] = Record("mediawatch.pipeline", 2, 17, b"s1", 0, _failed())
    body = json.loads(json_line(record))
    assert body["type"] == "StageCompleted"
    assert (body["topic"], body["partition"], body["offset"]) == ("mediawatch.pipeline", 2, 17)
    assert body["stage"] == "MERGING"
    assert body["error_code"] == "FFMPEG_FAILED"
    assert body["event_time"] == "2026-11-30T12:00:45.200000+00:00"
    assert body["event_id"] == str(record.event.event_id)


def test_timeline_highlights_failures_and_alerts_and_escapes_markup() -> None:
    line = timeline_line(_failed(), origin=NOW)
    assert "+    45.2s" in line
    assert "[bold red]FFMPEG_FAILED[/bold red]" in line
    assert "\\[x]" in line  # user text cannot inject rich markup
    assert "ALERT ERROR" in timeline_line(_alert(), origin=NOW)


def test_failed_sessions_are_those_with_a_failed_stage() -> None:
    events: list[Event] = [_started("s1"), _failed(), _started("s2"), _alert()]
    broken = failed_sessions(events)
    assert broken == {"s1"}
    assert in_sessions(_started("s1"), broken)
    assert not in_sessions(_started("s2"), broken)
    assert not in_sessions(_alert(), broken)  # an alert without a session
