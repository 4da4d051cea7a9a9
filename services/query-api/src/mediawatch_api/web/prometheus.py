"""``GET /metrics``: the API's metrics in the Prometheus text format."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from mediawatch_api.web.errors import PUBLIC_SECURITY, error_responses
from mediawatch_api.web.services import ServicesDep
from mediawatch_common.metrics.exposition import CONTENT_TYPE, TextExposition


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
    services: ServicesDep, metrics_exposition: NamedDependency[TextExposition]
) -> Response[bytes]:
    """Request durations, projection figures (read in the background), process metrics."""
    return Response(metrics_exposition.render(), media_type=CONTENT_TYPE)
