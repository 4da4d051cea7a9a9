from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from mediawatch_common.metrics import LabelledHistogram
from mediawatch_common.metrics.exposition import TextExposition

pytestmark = pytest.mark.unit

BUCKETS = (0.1, 1, 1800)


def _samples(text: str) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    return {
        (s.name, tuple(sorted(s.labels.items())), s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.name.endswith("_created")
    }


def _pair() -> tuple[CollectorRegistry, LabelledHistogram, CollectorRegistry, Histogram]:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    mine = LabelledHistogram("t_seconds", "T.", ["stage", "outcome"], BUCKETS, ours)
    reference = Histogram("t_seconds", "T.", ["stage", "outcome"], buckets=BUCKETS, registry=theirs)
    return ours, mine, theirs, reference


def test_the_same_samples_as_prometheus_clients_histogram() -> None:
    ours, mine, theirs, reference = _pair()
    for value in (0.05, 0.1, 0.5, 1, 3, 5000):
        mine.labels("merging", "success").observe(value)
        reference.labels("merging", "success").observe(value)
    mine.labels("upload", "failure")
    reference.labels("upload", "failure")
    wanted = _samples(generate_latest(theirs).decode())
    assert _samples(TextExposition(ours).render().decode()) == wanted
    assert _samples(generate_latest(ours).decode()) == wanted
    labels = {"stage": "merging", "outcome": "success", "le": "0.1"}
    assert ours.get_sample_value("t_seconds_bucket", labels) == 2  # le is inclusive


def test_the_text_is_written_again_after_a_change_only() -> None:
    registry = CollectorRegistry()
    histogram = LabelledHistogram("t_seconds", "T.", ["stage"], BUCKETS, registry)
    child = histogram.labels("merging")
    first = histogram.text()
    assert histogram.text() is first
    child.observe(2.0)
    again = histogram.text()
    assert again is not first
    assert 't_seconds_bucket{le="1800.0",stage="merging"} 1.0' in again
    assert 't_seconds_sum{stage="merging"} 2.0' in again


def test_wrong_label_count_is_refused() -> None:
    histogram = LabelledHistogram("t_seconds", "T.", ["stage", "outcome"], BUCKETS, None)
    with pytest.raises(ValueError, match="takes labels"):
        histogram.labels("merging")
