"""Window maths over a plain dict store: counts, dedup of replays, lateness, closing."""

from __future__ import annotations

import random

import pytest

from mediawatch_aggregator.windowing.completion_rows import (
    Row,
    pack_progress,
    pack_rows,
    unpack,
    unpack_rows,
)
from mediawatch_aggregator.windowing.stage_aggregator import (
    AggregationConfig,
    StageAggregator,
    WindowResult,
)
from mediawatch_aggregator.windowing.stage_state import StateValue, dumps, loads
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_aggregator.windowing.window_specs import MICROS, parse_specs

pytestmark = pytest.mark.unit

S = MICROS
T0 = 1_699_999_980 * S  # a multiple of 60 s
STAGE = "MERGING"


def make(windows: str = "60,300/60", grace: float = 10, delay: float = 5) -> StageAggregator:
    config = AggregationConfig(parse_specs(windows), grace, 600, 0.01, delay)
    return StageAggregator(config, {})


def read_up_to(agg: StageAggregator, *high: int, confirmed: dict[int, int] | None = None) -> None:
    """An ingest report: partition i read up to event time ``high[i]``."""
    agg.observe(STAGE, Progress(len(high), dict(enumerate(high)), confirmed or {}))


def rows(n: int, start: int = T0, step: int = S, partition: int = 0, first: int = 0) -> list[Row]:
    """n completions, every 10th a failure, durations 1..7 s."""
    return [
        Row(
            partition,
            first + i,
            start + i * step,
            i % 10 != 0,
            None if i % 10 else "FFMPEG_FAILED",
            float(1 + i % 7),
        )
        for i in range(n)
    ]


def closed(agg: StageAggregator) -> dict[tuple[str, int], WindowResult]:
    closing = agg.due_closings(STAGE)
    agg.mark_closed(STAGE, closing)
    return {(r.spec.label, r.start): r for r in closing.results}


def test_counts_are_exact_per_window() -> None:
    agg = make()
    applied = agg.apply(STAGE, rows(120))  # 120 events over [T0, T0 + 120 s)
    assert applied.counted == 120
    assert closed(agg) == {}  # no report from the ingest yet: no clock
    read_up_to(agg, T0 + 119 * S)
    results = closed(agg)
    assert ("60s", T0) in results
    assert ("60s", T0 + 60 * S) not in results
    first = results[("60s", T0)]
    assert (first.outcomes.attempts, first.outcomes.failures) == (60, 6)
    assert first.outcomes.failures_by_code == {"FFMPEG_FAILED": 6}
    assert first.outcomes.duration_min == 1.0
    assert first.outcomes.duration_max == 7.0
    assert first.outcomes.duration_sum == sum(float(1 + i % 7) for i in range(60))


def test_replayed_rows_are_not_counted_twice() -> None:
    agg = make()
    batch = rows(100)
    agg.apply(STAGE, batch[:70])
    replay = agg.apply(STAGE, batch[40:])  # at-least-once: 40..69 again
    assert (replay.counted, replay.duplicates) == (30, 30)
    again = agg.apply(STAGE, batch)
    assert (again.counted, again.duplicates) == (0, 100)
    result = agg.result(STAGE, agg.config.specs[0], T0, agg.panes(STAGE), True)
    assert result.outcomes.attempts == 60


def test_partitions_are_deduplicated_independently() -> None:
    agg = make()
    agg.apply(STAGE, rows(10, partition=0))
    applied = agg.apply(STAGE, rows(10, partition=1))  # same offsets, other partition
    assert applied.counted == 10


def test_late_events_are_counted_apart_and_reported() -> None:
    agg = make(grace=10)
    agg.apply(STAGE, rows(1, start=T0 + 100 * S))
    read_up_to(agg, T0 + 100 * S)
    late = agg.apply(STAGE, rows(3, start=T0 + 5 * S, first=1))  # pane [T0, T0+60) sealed
    on_time = agg.apply(STAGE, rows(2, start=T0 + 65 * S, first=4))  # within grace
    assert (late.late, late.counted) == (3, 0)
    assert on_time.counted == 2
    results = closed(agg)
    first = results[("60s", T0)]
    assert (first.outcomes.attempts, first.late) == (0, 3)
    hopping = results[("300s/60s", T0 - 240 * S)]
    assert hopping.late == 3


def test_late_event_after_close_reports_the_closed_window_again() -> None:
    agg = make(windows="60", grace=0)
    agg.apply(STAGE, rows(5))
    agg.apply(STAGE, rows(1, start=T0 + 70 * S, first=5))
    read_up_to(agg, T0 + 70 * S)
    assert closed(agg)[("60s", T0)].outcomes.attempts == 5
    agg.updates(STAGE)
    agg.apply(STAGE, rows(1, start=T0 + 30 * S, first=6))
    again = [r for r in agg.updates(STAGE) if r.start == T0]
    assert len(again) == 1
    assert again[0].closed
    assert again[0].late == 1
    assert again[0].outcomes.attempts == 5
    assert again[0].result_id() != closed_id(agg)


def closed_id(agg: StageAggregator) -> object:
    result = agg.result(STAGE, agg.config.specs[0], T0, {}, True)
    return result.result_id()


def test_windows_close_on_the_wall_clock_when_idle() -> None:
    agg = make(windows="60", grace=10)
    agg.apply(STAGE, rows(30))
    read_up_to(agg, T0 + 29 * S)
    assert closed(agg) == {}
    # Read to its end at T0 + 74 s: the clock is T0 + 69 s (5 s of arrival delay).
    read_up_to(agg, T0 + 29 * S, confirmed={0: T0 + 74 * S})
    assert agg.clock(STAGE) == T0 + 69 * S
    assert closed(agg) == {}  # end + grace not yet passed
    read_up_to(agg, T0 + 29 * S, confirmed={0: T0 + 76 * S})
    results = closed(agg)
    assert list(results) == [("60s", T0)]
    assert closed(agg) == {}  # each window closes once


def test_a_lagging_partition_holds_the_clock_back() -> None:
    agg = make(windows="60", grace=0)
    agg.apply(STAGE, rows(1, start=T0, partition=1))
    agg.apply(STAGE, rows(1, start=T0 + 200 * S, partition=0))
    read_up_to(agg, T0 + 200 * S, T0, confirmed={0: T0 + 400 * S})
    assert agg.clock(STAGE) == T0
    late = agg.apply(STAGE, rows(1, start=T0 + 30 * S, partition=1, first=1))
    assert late.counted == 1  # partition 1 is behind, not late


def test_an_idle_partition_stops_holding_the_clock_back() -> None:
    agg = make(windows="60", grace=0, delay=5)
    agg.apply(STAGE, rows(1, start=T0, partition=1))
    agg.apply(STAGE, rows(1, start=T0 + 200 * S, partition=0))
    # Partition 1 was read to its end when partition 0's last event was 5 s old.
    read_up_to(agg, T0 + 200 * S, T0, confirmed={1: T0 + 205 * S})
    assert agg.clock(STAGE) == T0 + 200 * S


def test_the_clock_waits_for_every_partition_and_never_goes_back() -> None:
    agg = make(windows="60", grace=0, delay=5)
    agg.observe(STAGE, Progress(3, {0: T0 + 50 * S, 1: T0 + 40 * S}, {}))
    assert agg.clock(STAGE) is None  # partition 2 never reported: nothing may close
    agg.observe(STAGE, Progress(3, {}, {2: T0 + 100 * S}))  # another worker reads partition 2
    assert agg.clock(STAGE) == T0 + 40 * S
    agg.observe(STAGE, Progress(3, {0: T0 + 10 * S, 1: T0 + 20 * S}, {}))  # a stale report
    assert agg.clock(STAGE) == T0 + 40 * S
    # A paused ingest sends nothing: however long the pause, the clock stays where the last
    # report left it, so what was produced meanwhile is not late when it is read.
    assert agg.apply(STAGE, rows(1, start=T0 + 41 * S, partition=1)).counted == 1


def test_interleaving_of_partitions_inside_a_batch_does_not_matter() -> None:
    zero, one = rows(60, step=2 * S, partition=0), rows(60, step=2 * S, partition=1)
    rng = random.Random(3)
    queues, mixed = [list(zero), list(one)], []
    while queues[0] or queues[1]:
        pick = rng.choice([q for q in queues if q])
        mixed.append(pick.pop(0))
    assert [r for r in mixed if r.partition == 1] == one  # each partition keeps its order
    for ordering in (zero + one, one + zero, mixed):
        agg = make(windows="60", grace=0)
        assert agg.apply(STAGE, ordering).counted == 120


def test_expired_panes_are_deleted_once_closed_and_their_events_dropped() -> None:
    agg = make(windows="60", grace=0)  # horizon: 60 + 0 + 600 s
    agg.apply(STAGE, rows(1))
    agg.apply(STAGE, rows(1, start=T0 + 2000 * S, first=1))
    read_up_to(agg, T0 + 2000 * S)
    assert agg.expire(STAGE) == 0  # the clock passed it, but its window is not closed
    assert closed(agg)[("60s", T0)].outcomes.attempts == 1
    assert agg.expire(STAGE) == 1
    applied = agg.apply(STAGE, rows(1, start=T0 + 10 * S, first=2))
    assert applied.expired == 1
    assert sorted(agg.panes(STAGE)) == [T0 + 1980 * S]


def test_rows_past_the_horizon_of_an_unclosed_window_are_late_not_dropped() -> None:
    agg = make(windows="60", grace=0, delay=5)
    agg.apply(STAGE, rows(1, partition=1))
    # Partition 1 read to its end: partition 0 alone moves the clock past the first horizon.
    agg.apply(STAGE, rows(1, start=T0 + 2000 * S, partition=0))
    read_up_to(agg, T0 + 2000 * S, T0, confirmed={1: T0 + 2005 * S})
    applied = agg.apply(STAGE, rows(2, start=T0 + 10 * S, partition=1, first=1))
    assert (applied.late, applied.expired) == (2, 0)
    first = closed(agg)[("60s", T0)]
    assert (first.outcomes.attempts, first.late) == (1, 2)


def test_state_survives_serialisation_with_identical_results() -> None:
    agg = make()
    agg.apply(STAGE, rows(300, step=S // 2))
    copy: dict[str, StateValue] = {k: loads(dumps(v)) for k, v in agg.store.items()}
    recovered = StageAggregator(agg.config, copy)
    for each in (agg, recovered):  # the clock is not state: the ingest reports it again
        read_up_to(each, T0 + 150 * S)
    assert closed(recovered) == closed(agg)
    assert recovered.meta(STAGE) == agg.meta(STAGE)


def test_row_batches_round_trip() -> None:
    batch = rows(3)
    assert unpack_rows(pack_rows(STAGE, batch)) == (STAGE, batch)
    with pytest.raises(ValueError, match="row batch"):
        unpack_rows(b'{"v": 2}')
    short = b'{"v": 1, "stage": "MERGING", "rows": [[0, 1, 2, true, null, 1.5], [0, 2, 3, true]]}'
    with pytest.raises(ValueError, match="without its 6 values"):
        unpack_rows(short)


def test_progress_reports_round_trip() -> None:
    report = Progress(6, {0: T0, 5: T0 + S}, {3: T0 + 2 * S})
    assert unpack(pack_progress(report)) == report
    with pytest.raises(ValueError, match="progress report"):
        unpack_rows(pack_progress(report))


def test_a_report_moves_only_the_clock_of_the_stages_it_reached() -> None:
    """Reports travel with each stage's rows (one internal partition): a report read from
    another partition must not move a stage's clock ahead of rows still to come."""
    agg = make()
    agg.observe("UPLOAD", Progress(1, {0: T0 + 500 * S}, {}))
    assert agg.clock("UPLOAD") == T0 + 500 * S
    assert agg.clock(STAGE) is None
    assert agg.apply(STAGE, rows(5)).counted == 5
