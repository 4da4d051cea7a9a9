"""``GET /metrics``: projection figures in the Prometheus text format."""

from __future__ import annotations

from collections.abc import Iterator

from litestar import Response, get
from litestar.di import NamedDependency
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text

from mediawatch_api.web.errors import PUBLIC_SECURITY, error_responses
from mediawatch_api.web.services import ServicesDep

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ProjectionCollector(Collector):
    """Reads the projections at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Metric]:
        sessions = GaugeMetricFamily(
            "mediawatch_sessions", "Sessions by status.", labels=["status"]
        )
        alerts = GaugeMetricFamily("mediawatch_alerts_firing", "Firing alerts.", labels=["level"])
        ops = GaugeMetricFamily(
            "mediawatch_stage_operations_last_hour",
            "Completed stages in the last hour.",
            labels=["stage", "outcome"],
        )
        with self._engine.connect() as conn:
            for status, count in conn.execute(
                text("SELECT status, count(*) FROM sessions GROUP BY 1")
            ):
                sessions.add_metric([status], count)
            for level, count in conn.execute(
                text("SELECT level, count(*) FROM alerts WHERE resolved_at IS NULL GROUP BY 1")
            ):
                alerts.add_metric([level], count)
            for stage, ok, failed in conn.execute(
                text(
                    "SELECT stage, sum(successes), sum(failures) FROM stage_minutes "
                    "WHERE minute >= now() - interval '1 hour' GROUP BY 1"
                )
            ):
                ops.add_metric([stage, "success"], ok)
                ops.add_metric([stage, "failure"], failed)
        yield from (sessions, alerts, ops)


def registry_for(engine: Engine) -> CollectorRegistry:
    """A registry holding only the projection collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ProjectionCollector(engine))
    return registry


@get(
    "/metrics",
    sync_to_thread=True,
    include_in_schema=True,
    tags=["metrics"],
    summary="Prometheus metrics",
    media_type=CONTENT_TYPE,
    security=PUBLIC_SECURITY,
    responses=error_responses("public"),
)
def metrics(
    services: ServicesDep, metrics_registry: NamedDependency[CollectorRegistry]
) -> Response[bytes]:
    """Session, alert and stage-outcome gauges for Prometheus."""
    return Response(generate_latest(metrics_registry), media_type=CONTENT_TYPE)
