"""The log-bucket sketch: relative error bound, merging, serialisation."""

from __future__ import annotations

import math
import random

import pytest

from mediawatch_aggregator.windowing.quantile_sketch import LogSketch

pytestmark = pytest.mark.unit


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


@pytest.mark.parametrize(
    "draw",
    [
        lambda r: r.uniform(0.5, 10),
        lambda r: r.lognormvariate(0, 2),
        lambda r: r.expovariate(0.1),
        lambda r: r.paretovariate(1.5),
    ],
    ids=["uniform", "lognormal", "exponential", "pareto"],
)
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_quantiles_are_within_the_relative_bound(draw, alpha: float) -> None:
    rng = random.Random(7)
    values = [draw(rng) for _ in range(20_000)]
    sketch = LogSketch(alpha)
    for v in values:
        sketch.add(v)
    for q in (0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0):
        truth = exact(values, q)
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - truth) <= alpha * truth * (1 + 1e-9), q


def test_merged_sketches_equal_one_sketch_of_all_values() -> None:
    rng = random.Random(1)
    values = [rng.uniform(0.001, 100) for _ in range(5_000)]
    whole, left, right = LogSketch(), LogSketch(), LogSketch()
    for i, v in enumerate(values):
        whole.add(v)
        (left if i % 3 else right).add(v)
    left.merge(right)
    assert left.bins == whole.bins
    assert left.count == whole.count == 5_000
    assert left.quantile(0.95) == whole.quantile(0.95)


def test_zero_durations_are_counted_and_reported_as_zero() -> None:
    sketch = LogSketch()
    for v in (0.0, 0.0, 0.0, 2.0):
        sketch.add(v)
    assert sketch.count == 4
    assert sketch.quantile(0.5) == 0.0
    assert sketch.quantile(1.0) == pytest.approx(2.0, rel=0.01)


def test_empty_sketch_has_no_quantile() -> None:
    assert LogSketch().quantile(0.5) is None


def test_round_trip_through_dict() -> None:
    sketch = LogSketch(0.02)
    for v in (0.1, 1.0, 1.0, 30.0, 0.0):
        sketch.add(v)
    again = LogSketch.from_dict(sketch.to_dict())
    assert (again.bins, again.zeros, again.count, again.alpha) == (
        sketch.bins,
        sketch.zeros,
        sketch.count,
        sketch.alpha,
    )


def test_merging_different_accuracies_is_refused() -> None:
    with pytest.raises(ValueError, match="accuracy"):
        LogSketch(0.01).merge(LogSketch(0.02))


def test_quantiles_in_one_pass_equal_each_quantile() -> None:
    rng = random.Random(11)
    sketch = LogSketch()
    for _ in range(5000):
        sketch.add(rng.choice([0.0, rng.lognormvariate(0, 2)]))
    qs = (0.0, 0.05, 0.5, 0.95, 0.99, 1.0)
    assert sketch.quantiles(qs) == [sketch.quantile(q) for q in qs]
    assert LogSketch().quantiles(qs) == [None] * len(qs)
    with pytest.raises(ValueError, match="ascending"):
        sketch.quantiles((0.9, 0.5))
