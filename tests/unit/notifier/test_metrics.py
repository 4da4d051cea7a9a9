from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_common.events import AlertDelivered, AlertDeliveryFailed, Producer
from mediawatch_notifier.delivery import WITHDRAWN
from mediawatch_notifier.metrics import NotifierMetrics

pytestmark = pytest.mark.unit


def _common(sink: str, attempt: int, ms: float) -> dict[str, Any]:
    return {
        "producer": Producer(service="notifier", host="h", pid=1),
        "event_time": datetime(2026, 12, 1, tzinfo=UTC),
        "notification_id": "n1",
        "group_key": "g",
        "sink": sink,
        "sink_type": "slack",
        "status": "firing",
        "alert_ids": ("a1",),
        "attempt": attempt,
        "duration_ms": ms,
    }


def test_attempts_become_deliveries_retries_and_latencies() -> None:
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    metrics.recorded(AlertDeliveryFailed(**_common("ops", 1, 30.0), error="503", final=False))
    metrics.recorded(AlertDelivered(**_common("ops", 2, 80.0)))
    metrics.recorded(AlertDeliveryFailed(**_common("chat", 1, 5000.0), error="404", final=True))
    value = registry.get_sample_value
    assert (
        value("mediawatch_notifier_deliveries_total", {"sink": "ops", "outcome": "delivered"}) == 1
    )
    assert value("mediawatch_notifier_deliveries_total", {"sink": "chat", "outcome": "failed"}) == 1
    assert (
        value("mediawatch_notifier_deliveries_total", {"sink": "ops", "outcome": "failed"}) is None
    )
    assert value("mediawatch_notifier_retries_total", {"sink": "ops"}) == 1
    assert value("mediawatch_notifier_retries_total", {"sink": "chat"}) is None
    ops = {"sink": "ops"}
    assert value("mediawatch_notifier_delivery_duration_seconds_count", ops) == 2
    assert value("mediawatch_notifier_delivery_duration_seconds_sum", ops) == pytest.approx(0.11)
    slow = {"sink": "chat", "le": "2.5"}
    assert value("mediawatch_notifier_delivery_duration_seconds_bucket", slow) == 0


def test_a_withdrawn_firing_is_counted_apart_and_times_no_request() -> None:
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    metrics.recorded(AlertDeliveryFailed(**_common("ops", 2, 0.0), error=WITHDRAWN, final=True))
    value = registry.get_sample_value
    ops = {"sink": "ops"}
    assert value("mediawatch_notifier_deliveries_total", {**ops, "outcome": "withdrawn"}) == 1
    assert value("mediawatch_notifier_deliveries_total", {**ops, "outcome": "failed"}) is None
    assert value("mediawatch_notifier_delivery_duration_seconds_count", ops) is None


def test_queue_depth_is_read_at_scrape_time() -> None:
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    outstanding: dict[str, list[object]] = {"n1": [], "n2": []}
    metrics.count_queue(lambda: len(outstanding))
    assert registry.get_sample_value("mediawatch_notifier_queue_depth") == 2
    outstanding.clear()
    assert registry.get_sample_value("mediawatch_notifier_queue_depth") == 0
