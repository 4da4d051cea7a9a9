"""The notifier's Prometheus metrics, read off the delivery records it writes.

Every attempt ends in an AlertDelivered or AlertDeliveryFailed record; counting those keeps
the metrics equal to what the alerts topic says. ``sink`` is a sink's configured name.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from mediawatch_common.events import AlertDelivered, AlertDeliveryFailed
from mediawatch_notifier.delivery import WITHDRAWN

REQUEST_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
"""Seconds of one HTTP request to a sink, up to the longest timeout a sink is given."""


class NotifierMetrics:
    """Deliveries by sink and outcome, their request latency, retries and the queue."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.deliveries = Counter(
            "mediawatch_notifier_deliveries",
            "Notifications whose delivery to a sink ended: delivered, failed for good, or "
            "withdrawn (their alerts' resolution was sent to the sink first).",
            ["sink", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "mediawatch_notifier_delivery_duration_seconds",
            "Duration of one delivery attempt's HTTP request to a sink.",
            ["sink"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.retries = Counter(
            "mediawatch_notifier_retries",
            "Delivery attempts that failed and will be tried again.",
            ["sink"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "mediawatch_notifier_queue_depth",
            "Notifications handed to the delivery workers and not finished yet.",
            registry=registry,
        )

    def recorded(self, record: AlertDelivered | AlertDeliveryFailed) -> None:
        """Count one attempt from its record; a withdrawal made no request, so no latency."""
        if isinstance(record, AlertDeliveryFailed) and record.error == WITHDRAWN:
            self.deliveries.labels(record.sink, "withdrawn").inc()
            return
        self.latency.labels(record.sink).observe(record.duration_ms / 1000)
        if isinstance(record, AlertDelivered):
            self.deliveries.labels(record.sink, "delivered").inc()
        elif record.final:
            self.deliveries.labels(record.sink, "failed").inc()
        else:
            self.retries.labels(record.sink).inc()

    def count_queue(self, depth: Callable[[], int]) -> None:
        """Report ``depth()`` as the queue depth at each scrape."""
        self.queue_depth.set_function(lambda: float(depth()))
