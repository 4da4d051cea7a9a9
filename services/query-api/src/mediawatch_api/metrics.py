"""The API's Prometheus metrics: request durations, and projection figures read in the
background, so that a scrape of ``/metrics`` never waits for PostgreSQL.

The projection figures are gauges of what the projections hold now (sessions by status,
firing alerts by level, stage outcomes of the last hour), read every
``API_METRICS_REFRESH_SECONDS`` by one thread; ``mediawatch_projection_refreshed_timestamp_seconds``
tells how fresh they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, text

from mediawatch_common.metrics.exposition import TextExposition
from mediawatch_common.periodic import Periodic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProjectionFigures:
    """One reading of the projections."""

    sessions: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    stages: dict[tuple[str, str], int] = field(default_factory=dict)
    at: float = 0.0


SESSIONS = text("SELECT status, count(*) FROM sessions GROUP BY 1")
ALERTS = text("SELECT level, count(*) FROM alerts WHERE resolved_at IS NULL GROUP BY 1")
STAGES = text(
    "SELECT stage, sum(successes), sum(failures) FROM stage_minutes "
    "WHERE minute >= now() - interval '1 hour' GROUP BY 1"
)


def read_figures(conn: Connection, at: float) -> ProjectionFigures:
    """Sessions by status, firing alerts by level, last hour's stage outcomes."""
    sessions = {str(status): int(n) for status, n in conn.execute(SESSIONS)}
    alerts = {str(level): int(n) for level, n in conn.execute(ALERTS)}
    stages: dict[tuple[str, str], int] = {}
    for stage, ok, failed in conn.execute(STAGES):
        stages[(str(stage), "success")] = int(ok or 0)
        stages[(str(stage), "failure")] = int(failed or 0)
    return ProjectionFigures(sessions, alerts, stages, at)


class ProjectionGauges(Collector):
    """Serves the latest :class:`ProjectionFigures` (none before the first reading)."""

    def __init__(self) -> None:
        self.figures: ProjectionFigures | None = None

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        if figures is None:
            return
        sessions = GaugeMetricFamily(
            "mediawatch_projection_sessions", "Sessions in the projections, by status.",
            labels=["status"])  # fmt: skip
        for status, count in sorted(figures.sessions.items()):
            sessions.add_metric([status], count)
        alerts = GaugeMetricFamily(
            "mediawatch_projection_alerts_firing", "Unresolved alerts, by level.",
            labels=["level"])  # fmt: skip
        for level, count in sorted(figures.alerts.items()):
            alerts.add_metric([level], count)
        stages = GaugeMetricFamily(
            "mediawatch_projection_stage_completions_last_hour",
            "Stages completed in the last hour, by stage and outcome.",
            labels=["stage", "outcome"],
        )
        for (stage, outcome), count in sorted(figures.stages.items()):
            stages.add_metric([stage, outcome], count)
        refreshed = GaugeMetricFamily(
            "mediawatch_projection_refreshed_timestamp_seconds",
            "When these projection figures were read (Unix time).",
        )
        refreshed.add_metric([], figures.at)
        yield from (sessions, alerts, stages, refreshed)


class ProjectionRefresher:
    """Reads the figures into ``gauges`` at start, then every ``interval`` seconds."""

    def __init__(self, engine: Engine, gauges: ProjectionGauges, interval: float) -> None:
        self._engine, self._gauges = engine, gauges
        self._refreshing = Periodic(self.refresh, interval, "metrics-refresh", at_start=True)

    def refresh(self) -> None:
        """One reading; a failure is logged and the previous figures stay."""
        try:
            with self._engine.connect() as conn:
                self._gauges.figures = read_figures(conn, time.time())
        except Exception as exc:
            log.warning("projection figures not refreshed", extra={"error": type(exc).__name__})

    def start(self) -> None:
        """Start the refreshing thread (first reading at once)."""
        self._refreshing.start()

    def stop(self) -> None:
        """Stop the thread (after the reading in progress)."""
        self._refreshing.stop()


class ApiMetrics:
    """The API's own registry: process and Python collectors, requests, projection figures."""

    def __init__(self, engine: Engine, refresh_seconds: float) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.requests = Histogram(
            "mediawatch_api_request_duration_seconds",
            "Duration of HTTP requests, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.gauges = ProjectionGauges()
        self.registry.register(self.gauges)
        self.refresher = ProjectionRefresher(engine, self.gauges, refresh_seconds)
        self.exposition = TextExposition(self.registry)
