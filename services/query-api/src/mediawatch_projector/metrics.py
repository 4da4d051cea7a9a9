"""The projector's Prometheus metrics: events projected, batch write time, positions behind.

"Behind" counts from the positions stored in PostgreSQL with the rows (the projector's real
positions), not from what the consumer has read: a batch read but not yet written is behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from mediawatch_common.metrics import PartitionLag

WRITE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
"""Seconds of one batch's transaction: milliseconds for a few events, seconds for thousands."""


class ProjectorMetrics:
    """Counts what the projector writes and how long each batch's transaction takes."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.projected = Counter(
            "mediawatch_projector_events_projected",
            "Events written into the projections (each exactly once).",
            registry=registry,
        )
        self.write_seconds = Histogram(
            "mediawatch_projector_batch_write_seconds",
            "Duration of one batch's transaction: its rows and its positions.",
            buckets=WRITE_BUCKETS,
            registry=registry,
        )
        self.behind = Gauge(
            "mediawatch_projector_positions_behind",
            "Messages between the positions stored in PostgreSQL and the ends of the "
            "partitions this projector holds.",
            registry=registry,
        )

    def written(self, events: int, seconds: float) -> None:
        """One batch's transaction committed ``events`` new events in ``seconds``."""
        self.projected.inc(events)
        self.write_seconds.observe(seconds)

    def count_behind(self, lag: Callable[[], Sequence[PartitionLag]]) -> None:
        """Report the sum of ``lag()`` (per partition, from stored positions) at each scrape."""
        self.behind.set_function(lambda: float(sum(p.lag for p in lag())))
