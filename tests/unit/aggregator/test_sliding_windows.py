"""Windows computed by sliding over the panes equal a fresh merge of each window's panes."""

from __future__ import annotations

import random

import pytest

from mediawatch_aggregator.windowing.panes import Pane
from mediawatch_aggregator.windowing.sliding_windows import WindowSketch
from mediawatch_aggregator.windowing.stage_aggregator import AggregationConfig, StageAggregator
from mediawatch_aggregator.windowing.window_specs import MICROS, parse_specs

pytestmark = pytest.mark.unit

S = MICROS
T0 = 1_699_999_980 * S
STAGE = "ANALYSIS"


def random_panes(seed: int) -> dict[int, Pane]:
    rng = random.Random(seed)
    panes: dict[int, Pane] = {}
    for minute in rng.sample(range(180), 70):  # gaps, so windows slide over empty minutes too
        pane = Pane.empty()
        for _ in range(rng.randint(0, 40)):
            ok = rng.random() > 0.2
            code = None if ok else rng.choice(["TIMEOUT", "FFMPEG_FAILED"])
            pane.outcomes.add(ok, code, rng.choice([0.0, rng.lognormvariate(1, 1.5)]))
        pane.late = rng.randint(0, 2)
        panes[T0 + minute * 60 * S] = pane
    return panes


@pytest.mark.parametrize("seed", range(6))
def test_sliding_results_equal_merging_each_window(seed: int) -> None:
    config = AggregationConfig(parse_specs("60,300/60,3600/60"), 10, 600, 0.01, 5)
    agg = StageAggregator(config, {})
    panes = random_panes(seed)
    rng = random.Random(seed)
    for spec in config.specs:
        starts = {T0 + m * 60 * S - spec.size + spec.hop for m in rng.sample(range(240), 90)}
        closed = {start: rng.random() < 0.5 for start in starts}
        slid = agg.results(STAGE, spec, closed, panes)
        assert [r.start for r in slid] == sorted(starts)
        for got in slid:
            want = agg.result(STAGE, spec, got.start, panes, closed[got.start])
            assert got == want, (spec.label, (got.start - T0) // S)
            qs = (0.0, 0.5, 0.95, 0.99, 1.0)
            assert got.outcomes.sketch.quantiles(qs) == want.outcomes.sketch.quantiles(qs)


def test_a_window_sketch_is_read_only() -> None:
    sketch = WindowSketch(0.01, 10, [1, 0, 2], 0)
    assert (sketch.bins, sketch.count) == ({10: 1, 12: 2}, 3)
    with pytest.raises(TypeError, match="read-only"):
        sketch.add(1.0)
