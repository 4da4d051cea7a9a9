from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_aggregator.metrics import AggregatorMetrics

pytestmark = pytest.mark.unit


def _record(closed: bool, rate: float, p95: float | None) -> dict[str, object]:
    return {"closed": closed, "error_rate": rate, "p50_seconds": 1.0, "p95_seconds": p95,
            "p99_seconds": 9.0}  # fmt: skip


def test_only_closed_windows_set_the_latest_gauges() -> None:
    registry = CollectorRegistry()
    metrics = AggregatorMetrics(registry)
    metrics.window("MERGING", "60s", _record(True, 0.25, 4.0))
    metrics.window("MERGING", "60s", _record(False, 0.9, 8.0))  # an update of an open window
    value = registry.get_sample_value
    labels = {"stage": "merging", "window": "60s"}
    assert value("mediawatch_window_error_ratio", labels) == 0.25
    assert value("mediawatch_window_stage_duration_seconds", {**labels, "quantile": "0.95"}) == 4
    assert value("mediawatch_window_stage_duration_seconds", {**labels, "quantile": "0.99"}) == 9
    assert value("mediawatch_aggregator_windows_closed_total", labels) == 1
    metrics.window("MERGING", "60s", _record(True, 0.0, None))  # no durations: keep the last
    assert value("mediawatch_window_error_ratio", labels) == 0
    assert value("mediawatch_window_stage_duration_seconds", {**labels, "quantile": "0.95"}) == 4


def test_reads_and_late_events() -> None:
    registry = CollectorRegistry()
    metrics = AggregatorMetrics(registry)
    metrics.read(500)
    metrics.read(3)
    metrics.not_counted("UPLOAD", late=2, expired=0)
    metrics.not_counted("UPLOAD", late=0, expired=1)
    value = registry.get_sample_value
    assert value("mediawatch_aggregator_events_ingested_total") == 503
    assert (
        value("mediawatch_aggregator_late_events_total", {"stage": "upload", "kind": "late"}) == 2
    )
    labels = {"stage": "upload", "kind": "expired"}
    assert value("mediawatch_aggregator_late_events_total", labels) == 1
