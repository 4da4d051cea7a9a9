"""Window maths over a plain dict store: counts, dedup of replays, lateness, closing."""

from __future__ import annotations

import random

import pytest

from mediawatch_aggregator.aggregation import AggregationConfig, StageAggregator
from mediawatch_aggregator.rows import Row, pack_rows, unpack_rows
from mediawatch_aggregator.state import StateValue, dumps, loads
from mediawatch_aggregator.windows import MICROS, parse_specs

pytestmark = pytest.mark.unit

S = MICROS
T0 = 1_699_999_980 * S  # a multiple of 60 s
STAGE = "MERGING"


def make(windows: str = "60,300/60", grace: float = 10, idle: float = 30) -> StageAggregator:
    config = AggregationConfig(parse_specs(windows), grace, 600, 0.01, idle)
    return StageAggregator(config, {})


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


def closed(agg: StageAggregator, now: int) -> dict[tuple[str, int], object]:
    closing = agg.due_closings(STAGE, now)
    agg.mark_closed(STAGE, closing)
    return {(r.spec.label, r.start): r for r in closing.results}


def test_counts_are_exact_per_window() -> None:
    agg = make()
    applied = agg.apply(STAGE, rows(120), now=0)  # 120 events over [T0, T0 + 120 s)
    assert applied.counted == 120
    results = closed(agg, now=0)  # nothing is due yet: the clock is at T0 + 119 s
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
    agg.apply(STAGE, batch[:70], now=0)
    replay = agg.apply(STAGE, batch[40:], now=0)  # at-least-once: 40..69 again
    assert (replay.counted, replay.duplicates) == (30, 30)
    again = agg.apply(STAGE, batch, now=0)
    assert (again.counted, again.duplicates) == (0, 100)
    result = agg.result(STAGE, agg.config.specs[0], T0, agg.panes(STAGE), True)
    assert result.outcomes.attempts == 60


def test_partitions_are_deduplicated_independently() -> None:
    agg = make()
    agg.apply(STAGE, rows(10, partition=0), now=0)
    applied = agg.apply(STAGE, rows(10, partition=1), now=0)  # same offsets, other partition
    assert applied.counted == 10


def test_late_events_are_counted_apart_and_reported() -> None:
    agg = make(grace=10)
    agg.apply(STAGE, rows(1, start=T0 + 100 * S), now=0)  # clock: T0 + 100 s
    late = agg.apply(STAGE, rows(3, start=T0 + 5 * S, first=1), now=0)  # pane [T0, T0+60) sealed
    on_time = agg.apply(STAGE, rows(2, start=T0 + 65 * S, first=4), now=0)  # within grace
    assert (late.late, late.counted) == (3, 0)
    assert on_time.counted == 2
    results = closed(agg, now=0)
    first = results[("60s", T0)]
    assert (first.outcomes.attempts, first.late) == (0, 3)
    hopping = results[("300s/60s", T0 - 240 * S)]
    assert hopping.late == 3


def test_late_event_after_close_reports_the_closed_window_again() -> None:
    agg = make(windows="60", grace=0)
    agg.apply(STAGE, rows(5), now=0)
    agg.apply(STAGE, rows(1, start=T0 + 70 * S, first=5), now=0)
    assert closed(agg, now=0)[("60s", T0)].outcomes.attempts == 5
    agg.updates(STAGE, now=0)
    agg.apply(STAGE, rows(1, start=T0 + 30 * S, first=6), now=0)
    again = [r for r in agg.updates(STAGE, now=0) if r.start == T0]
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
    agg.apply(STAGE, rows(30), now=0)  # clock stops at T0 + 29 s
    assert closed(agg, now=0) == {}
    assert closed(agg, now=40 * S) == {}  # clock T0 + 69 s: end + grace not yet passed
    results = closed(agg, now=42 * S)  # clock T0 + 71 s
    assert list(results) == [("60s", T0)]
    assert closed(agg, now=500 * S) == {}  # each window closes once


def test_a_lagging_partition_holds_the_clock_back() -> None:
    agg = make(windows="60", grace=0)
    agg.apply(STAGE, rows(1, start=T0, partition=1), now=0)
    agg.apply(STAGE, rows(1, start=T0 + 200 * S, partition=0), now=0)
    late = agg.apply(STAGE, rows(1, start=T0 + 30 * S, partition=1, first=1), now=0)
    assert late.counted == 1  # partition 1 is behind, not late


def test_an_idle_partition_stops_holding_the_clock_back() -> None:
    agg = make(windows="60", grace=0, idle=5)
    agg.apply(STAGE, rows(1, start=T0, partition=1), now=0)
    agg.apply(STAGE, rows(1, start=T0 + 200 * S, partition=0), now=6 * S)
    assert agg.clock(STAGE, 6 * S) == T0 + 200 * S


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
        assert agg.apply(STAGE, ordering, now=0).counted == 120


def test_expired_panes_are_deleted_once_closed_and_their_events_dropped() -> None:
    agg = make(windows="60", grace=0)  # horizon: 60 + 0 + 600 s
    agg.apply(STAGE, rows(1), now=0)
    agg.apply(STAGE, rows(1, start=T0 + 2000 * S, first=1), now=0)
    assert agg.expire(STAGE, now=0) == 0  # the clock passed it, but its window is not closed
    assert closed(agg, now=0)[("60s", T0)].outcomes.attempts == 1
    assert agg.expire(STAGE, now=0) == 1
    applied = agg.apply(STAGE, rows(1, start=T0 + 10 * S, first=2), now=0)
    assert applied.expired == 1
    assert sorted(agg.panes(STAGE)) == [T0 + 1980 * S]


def test_rows_past_the_horizon_of_an_unclosed_window_are_late_not_dropped() -> None:
    agg = make(windows="60", grace=0, idle=5)
    agg.apply(STAGE, rows(1, partition=1), now=0)
    # Partition 1 idle: partition 0 alone moves the clock, far past the first pane's horizon.
    agg.apply(STAGE, rows(1, start=T0 + 2000 * S, partition=0), now=6 * S)
    applied = agg.apply(STAGE, rows(2, start=T0 + 10 * S, partition=1, first=1), now=6 * S)
    assert (applied.late, applied.expired) == (2, 0)
    first = closed(agg, now=6 * S)[("60s", T0)]
    assert (first.outcomes.attempts, first.late) == (1, 2)


def test_state_survives_serialisation_with_identical_results() -> None:
    agg = make()
    agg.apply(STAGE, rows(300, step=S // 2), now=0)
    copy: dict[str, StateValue] = {k: loads(dumps(v)) for k, v in agg.store.items()}
    recovered = StageAggregator(agg.config, copy)
    assert closed(recovered, now=0) == closed(agg, now=0)
    assert recovered.meta(STAGE) == agg.meta(STAGE)


def test_row_batches_round_trip() -> None:
    batch = rows(3)
    assert unpack_rows(pack_rows(STAGE, batch)) == (STAGE, batch)
    with pytest.raises(ValueError, match="row batch"):
        unpack_rows(b'{"v": 2}')
