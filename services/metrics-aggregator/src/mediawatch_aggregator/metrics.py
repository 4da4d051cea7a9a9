"""The aggregator's Prometheus metrics: what it ingests, what comes late, what it closes.

The latest closed window of each stage and window length is mirrored as gauges (error ratio,
p50/p95/p99 duration), so a dashboard sees the aggregator's own figures. ``stage`` is the
stage in lower case, ``window`` a window's label (``60s``, ``300s/60s``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

QUANTILE_FIELDS = (("0.5", "p50_seconds"), ("0.95", "p95_seconds"), ("0.99", "p99_seconds"))


class AggregatorMetrics:
    """Counters of the ingest and the windows, gauges of the latest closed windows."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.ingested = Counter(
            "mediawatch_aggregator_events_ingested",
            "Pipeline messages read (counted, ignored or dead-lettered).",
            registry=registry,
        )
        self.late = Counter(
            "mediawatch_aggregator_late_events",
            "Stage completions not counted in their windows: late (after the window closed, "
            "reported with it) or expired (too late to be reported).",
            ["stage", "kind"],
            registry=registry,
        )
        self.closed = Counter(
            "mediawatch_aggregator_windows_closed",
            "Windows closed and published.",
            ["stage", "window"],
            registry=registry,
        )
        self.error_ratio = Gauge(
            "mediawatch_window_error_ratio",
            "Share of the stage completions that failed, in the latest closed window.",
            ["stage", "window"],
            registry=registry,
        )
        self.duration = Gauge(
            "mediawatch_window_stage_duration_seconds",
            "Stage duration quantile in the latest closed window (0.5, 0.95, 0.99).",
            ["stage", "window", "quantile"],
            registry=registry,
        )

    def read(self, messages: int) -> None:
        """``messages`` more pipeline messages read."""
        self.ingested.inc(messages)

    def not_counted(self, stage: str, late: int, expired: int) -> None:
        """Completions of ``stage`` that missed their windows."""
        if late:
            self.late.labels(stage.lower(), "late").inc(late)
        if expired:
            self.late.labels(stage.lower(), "expired").inc(expired)

    def window(self, stage: str, window: str, record: Mapping[str, Any]) -> None:
        """A published window result (its ``WindowAggregated`` record); only closed ones count."""
        if not record["closed"]:
            return
        labels = (stage.lower(), window)
        self.closed.labels(*labels).inc()
        self.error_ratio.labels(*labels).set(record["error_rate"])
        for quantile, field in QUANTILE_FIELDS:
            value = record[field]
            if value is not None:
                self.duration.labels(*labels, quantile).set(value)
