"""A burst of history on several partitions at once, with timer passes in between.

The timer publishes its closed results between ``due_closings`` and ``mark_closed``; while it
awaits the brokers, the agent keeps applying rows and the ingest's progress reports, and the
clock may jump ahead (far-ahead events move it). Every event must still be counted in its
window or reported as late: no window holding events may stay without a closed result.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest

from mediawatch_aggregator.windowing.closing_pass import collect, finish
from mediawatch_aggregator.windowing.completion_rows import Row
from mediawatch_aggregator.windowing.stage_aggregator import (
    AggregationConfig,
    StageAggregator,
    WindowResult,
)
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_aggregator.windowing.window_specs import MICROS, parse_specs

pytestmark = pytest.mark.unit

S = MICROS
T0 = 1_699_999_980 * S  # a multiple of 60 s
STAGE = "MERGING"
PARTITIONS = 6
SPAN = 400  # seconds of event time in a round
SENTINEL = SPAN + 4800  # far ahead: the clock passes every window of the round at once


def make() -> StageAggregator:
    config = AggregationConfig(parse_specs("60,300/60,3600/60"), 900, 600, 0.01, 5)
    return StageAggregator(config, {})


def ingest(agg: StageAggregator, chunk: list[Row]) -> None:
    """What the ingest does with a chunk read from one partition: the rows, then a report."""
    agg.apply(STAGE, chunk)
    if chunk:
        high = {chunk[0].partition: max(r.time for r in chunk)}
        agg.observe(STAGE, Progress(PARTITIONS, high, {}))


def burst(seed: int) -> dict[int, list[Row]]:
    """Per partition, in offset order: events spread over the round, then one sentinel."""
    rng = random.Random(seed)
    per: dict[int, list[Row]] = {p: [] for p in range(PARTITIONS)}
    for i in range(1200):
        p = rng.randrange(PARTITIONS)
        at = T0 + i * SPAN * S // 1200
        per[p].append(Row(p, len(per[p]), at, i % 10 != 0, None if i % 10 else "TIMEOUT", 2.0))
    for p, items in per.items():
        items.append(Row(p, len(items), T0 + SENTINEL * S, True, None, 1.0))
    return per


def expected_60s(per: dict[int, list[Row]]) -> Counter[int]:
    """Events per 60 s window of the round (sentinels left out)."""
    return Counter(r.time // (60 * S) * 60 * S for rows in per.values() for r in rows[:-1])


class Timer:
    """The timer pass of the app (:mod:`~mediawatch_aggregator.windowing.closing_pass`);
    ``during_publish`` runs where the app awaits the brokers."""

    def __init__(self, agg: StageAggregator) -> None:
        self.agg = agg
        self.closed: dict[tuple[str, int], WindowResult] = {}

    def tick(self, during_publish: Callable[[], None] = lambda: None) -> None:
        batch = collect(self.agg, [STAGE], update=True)
        during_publish()
        for result in batch.results:
            if result.closed:
                self.closed[(result.spec.label, result.start)] = result
        finish(self.agg, batch)


def settle(timer: Timer) -> None:
    """A few more passes once every partition was read (to its sentinel)."""
    for _ in range(3):
        timer.tick()


def assert_every_window_closed_exactly(timer: Timer, per: dict[int, list[Row]]) -> None:
    want = expected_60s(per)
    got = {start: timer.closed.get(("60s", start)) for start in want}
    missing = sorted(start for start, result in got.items() if result is None)
    assert not missing, f"{len(missing)} windows never closed, first {(missing[0] - T0) // S} s"
    counts = {s: (r.outcomes.attempts, r.late) for s, r in got.items() if r is not None}
    assert counts == {start: (n, 0) for start, n in want.items()}
    first_hour = timer.closed[("3600s/60s", T0 - 3540 * S)]  # the first pane, hour-long window
    assert (first_hour.outcomes.attempts, first_hour.late) == (want[T0], 0)


def test_clock_jumping_while_closings_are_published_loses_no_window() -> None:
    agg, per = make(), burst(seed=1)
    timer = Timer(agg)
    for p in range(PARTITIONS):  # the first half of every partition
        ingest(agg, per[p][: len(per[p]) // 2])

    def rest_of_the_burst() -> None:  # the agent, while the timer awaits its sends
        for p in range(PARTITIONS):
            ingest(agg, per[p][len(per[p]) // 2 :])

    timer.tick(during_publish=rest_of_the_burst)
    settle(timer)
    assert_every_window_closed_exactly(timer, per)


@pytest.mark.parametrize("seed", range(12))
def test_random_bursts_count_or_report_every_event(seed: int) -> None:
    """Partitions are read unevenly, in chunks, with timer passes at random points; a pass
    may be publishing while the agent applies more rows (sentinels included)."""
    rng = random.Random(seed)
    agg, per = make(), burst(seed)
    timer = Timer(agg)
    for p in per:  # an earlier round: every partition has moved once
        ingest(agg, [Row(p, -1, T0 - 20_000 * S, True, None, 1.0)])
    cursors = dict.fromkeys(per, 0)
    applied_total = Counter[str]()

    def read_some() -> None:
        p = rng.choice([p for p in per if cursors[p] < len(per[p])])
        n = rng.randint(1, 150)
        chunk = per[p][cursors[p] : cursors[p] + n]
        cursors[p] += len(chunk)
        applied = agg.apply(STAGE, chunk)
        agg.observe(STAGE, Progress(PARTITIONS, {p: max(r.time for r in chunk)}, {}))
        applied_total.update(counted=applied.counted, late=applied.late, gone=applied.expired)

    while any(cursors[p] < len(per[p]) for p in per):
        if rng.random() < 0.3:
            timer.tick(during_publish=lambda: read_some() if rng.random() < 0.7 else None)
        elif any(cursors[p] < len(per[p]) for p in per):
            read_some()
    settle(timer)
    assert applied_total == Counter(counted=sum(map(len, per.values())), late=0, gone=0)
    assert_every_window_closed_exactly(timer, per)


def test_a_window_closing_in_a_pass_is_published_once_closed() -> None:
    agg = make()
    agg.apply(STAGE, [Row(0, 0, T0, True, None, 1.0)])
    agg.observe(STAGE, Progress(1, {0: T0}, {}))
    first = collect(agg, [STAGE], update=True)
    assert [(r.spec.label, r.closed) for r in first.results if r.start == T0] == [
        ("60s", False),
        ("300s/60s", False),
        ("3600s/60s", False),
    ]
    finish(agg, first)
    agg.apply(STAGE, [Row(0, 1, T0 + 30 * S, True, None, 1.0)])
    agg.apply(STAGE, [Row(0, 2, T0 + SENTINEL * S, True, None, 1.0)])
    agg.observe(STAGE, Progress(1, {0: T0 + SENTINEL * S}, {}))
    batch = collect(agg, [STAGE], update=True)
    at_t0 = [(r.spec.label, r.closed, r.outcomes.attempts) for r in batch.results if r.start == T0]
    assert at_t0 == [("60s", True, 2), ("300s/60s", True, 2), ("3600s/60s", True, 2)]
    assert batch.closed == len([r for r in batch.results if r.closed])
    assert finish(agg, batch) == 1  # closed and past its horizon: the pane at T0 is forgotten
