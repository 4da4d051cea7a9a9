from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_alerter.metrics import AlerterMetrics
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, Producer

pytestmark = pytest.mark.unit

WHO = Producer(service="alerter", host="h", pid=1)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _raised(n: int, rule: str, level: AlertLevel) -> AlertRaised:
    return AlertRaised(producer=WHO, alert_id=f"a{n}", fingerprint=f"f{n}", rule=rule,
                       level=level, title="t", message="m", starts_at=NOW)  # fmt: skip


def _resolved(n: int, rule: str) -> AlertResolved:
    return AlertResolved(producer=WHO, alert_id=f"a{n}", fingerprint=f"f{n}", rule=rule,
                         reason="condition cleared", ends_at=NOW)  # fmt: skip


def test_transitions_and_evaluations_are_counted() -> None:
    registry = CollectorRegistry()
    metrics = AlerterMetrics(registry)
    metrics.published([_raised(1, "stage_failed", AlertLevel.ERROR), _resolved(2, "high_cpu")])
    metrics.evaluated("event", 40)
    metrics.evaluated("tick")
    value = registry.get_sample_value
    labels = {"rule": "stage_failed", "transition": "raised"}
    assert value("mediawatch_alert_transitions_total", labels) == 1
    labels = {"rule": "high_cpu", "transition": "resolved"}
    assert value("mediawatch_alert_transitions_total", labels) == 1
    assert value("mediawatch_alerter_evaluations_total", {"trigger": "event"}) == 40
    assert value("mediawatch_alerter_evaluations_total", {"trigger": "tick"}) == 1


def test_firing_follows_the_book_and_drops_to_zero() -> None:
    registry = CollectorRegistry()
    metrics = AlerterMetrics(registry)
    metrics.firing_now(
        [
            _raised(1, "stage_failed", AlertLevel.ERROR),
            _raised(2, "stage_failed", AlertLevel.ERROR),
            _raised(3, "high_memory", AlertLevel.CRITICAL),
        ]
    )
    value = registry.get_sample_value
    failed = {"rule": "stage_failed", "level": "ERROR"}
    memory = {"rule": "high_memory", "level": "CRITICAL"}
    assert value("mediawatch_alerter_alerts_firing", failed) == 2
    assert value("mediawatch_alerter_alerts_firing", memory) == 1
    metrics.firing_now([_raised(3, "high_memory", AlertLevel.CRITICAL)])
    assert value("mediawatch_alerter_alerts_firing", failed) == 0
    assert value("mediawatch_alerter_alerts_firing", memory) == 1
