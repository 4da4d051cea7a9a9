from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from mediawatch_common.metrics.exposition import TextExposition

pytestmark = pytest.mark.unit


def _samples(text: str) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    found = set()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            value = -1.0 if math.isnan(s.value) else s.value
            found.add((s.name, tuple(sorted(s.labels.items())), value))
    return found


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    hist = Histogram("t_seconds", "Time.", ["stage"], buckets=(0.1, 1, 1800), registry=registry)
    hist.labels("merging").observe(0.5)
    hist.labels("upload").observe(4000)
    count = Counter("t_things", "Things,\nwith a new line.", ["reason"], registry=registry)
    count.labels('a "quoted" \\ value\nover two lines').inc(2)
    gauge = Gauge("t_level", "Level.", registry=registry)
    gauge.set(float("nan"))
    Gauge("t_huge", "Huge.", registry=registry).set(1.5e300)
    Gauge("t_inf", "Inf.", registry=registry).set(float("-inf"))
    return registry


def test_the_same_samples_as_prometheus_client_without_created() -> None:
    registry = _registry()
    ours = TextExposition(registry).render().decode()
    theirs = generate_latest(registry).decode()
    wanted = {s for s in _samples(theirs) if not s[0].endswith("_created")}
    assert _samples(ours) == wanted
    assert "_created" not in ours
    assert "# TYPE t_things_total counter" in ours
    assert "# HELP t_things_total Things,\\nwith a new line." in ours


def test_series_text_is_kept_and_values_are_fresh() -> None:
    registry = CollectorRegistry()
    gauge = Gauge("t_value", "Value.", ["k"], registry=registry)
    gauge.labels("x").set(1)
    exposition = TextExposition(registry)
    assert 't_value{k="x"} 1.0' in exposition.render().decode()
    gauge.labels("x").set(2)
    gauge.labels("y").set(3)
    text = exposition.render().decode()
    assert 't_value{k="x"} 2.0' in text
    assert 't_value{k="y"} 3.0' in text
