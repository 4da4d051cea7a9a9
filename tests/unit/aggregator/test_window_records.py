"""Window results as WindowAggregated events of the contract."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from mediawatch_aggregator.windowing.panes import Outcomes
from mediawatch_aggregator.windowing.stage_aggregator import WindowResult
from mediawatch_aggregator.windowing.window_records import to_event, window_record
from mediawatch_aggregator.windowing.window_specs import MICROS, WindowSpec
from mediawatch_common.events import (
    Producer,
    Stage,
    WindowAggregated,
    decode_event,
    default_codec,
    encode_event,
)

pytestmark = pytest.mark.unit
START = 1_699_999_980 * MICROS


def result(closed: bool, late: int = 0) -> WindowResult:
    out = Outcomes()
    for i in range(100):
        out.add(i % 4 != 0, None if i % 4 else "TIMEOUT_ERROR", float(i + 1))
    return WindowResult("MERGING", WindowSpec(300, 60), START, out, late, closed)


def test_event_fields_and_encoding() -> None:
    event = to_event(result(closed=True), Producer.current("test"))
    again = decode_event(encode_event(event))
    assert isinstance(again, WindowAggregated)
    assert again.stage is Stage.MERGING
    assert again.window_start == datetime.fromtimestamp(1_699_999_980, UTC)
    assert (again.window_seconds, again.hop_seconds) == (300, 60)
    assert (again.attempts, again.successes, again.failures) == (100, 75, 25)
    assert again.error_rate == 0.25
    assert again.failures_by_code == {"TIMEOUT_ERROR": 25}
    assert (again.duration_min_seconds, again.duration_max_seconds) == (1.0, 100.0)
    assert again.p50_seconds == pytest.approx(50.0, rel=0.01)
    assert again.p99_seconds == pytest.approx(99.0, rel=0.01)
    assert again.closed


def test_closed_results_have_stable_ids_and_open_ones_do_not() -> None:
    producer = Producer.current("test")
    assert to_event(result(True), producer).event_id == to_event(result(True), producer).event_id
    assert to_event(result(True), producer).event_id != to_event(result(True, 1), producer).event_id
    assert to_event(result(False), producer).event_id != to_event(result(False), producer).event_id


def test_empty_window_has_no_percentiles() -> None:
    empty = WindowResult("UPLOAD", WindowSpec(60, 60), START, Outcomes(), 2, True)
    event = to_event(empty, Producer.current("test"))
    assert (event.attempts, event.error_rate, event.p50_seconds, event.late_events) == (
        0,
        0.0,
        None,
        2,
    )


def test_the_record_the_timer_writes_decodes_to_the_typed_event() -> None:
    producer = Producer.current("test")
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    record = window_record(result(True, 3), dataclasses.asdict(producer), now)
    written = default_codec().encode("WindowAggregated", record, check=False)
    typed = dataclasses.replace(to_event(result(True, 3), producer), event_time=now)
    assert decode_event(written) == typed
