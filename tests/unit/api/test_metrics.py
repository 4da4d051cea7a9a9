from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient
from prometheus_client import CollectorRegistry, Histogram

from mediawatch_api.metrics import ProjectionFigures, ProjectionGauges
from mediawatch_api.web.request_timing import RequestTiming

pytestmark = pytest.mark.unit


def test_gauges_serve_the_latest_reading_only() -> None:
    registry = CollectorRegistry(auto_describe=False)
    gauges = ProjectionGauges()
    registry.register(gauges)
    assert registry.get_sample_value("mediawatch_projection_refreshed_timestamp_seconds") is None
    gauges.figures = ProjectionFigures(
        {"completed": 4, "failed": 1}, {"ERROR": 2}, {("merging", "failure"): 3}, 1700000000.0
    )
    value = registry.get_sample_value
    assert value("mediawatch_projection_sessions", {"status": "failed"}) == 1
    assert value("mediawatch_projection_alerts_firing", {"level": "ERROR"}) == 2
    labels = {"stage": "merging", "outcome": "failure"}
    assert value("mediawatch_projection_stage_completions_last_hour", labels) == 3
    assert value("mediawatch_projection_refreshed_timestamp_seconds") == 1700000000.0


@get("/items/{item_id:str}", sync_to_thread=False)
def item(item_id: FromPath[str]) -> dict[str, str]:
    if item_id == "missing":
        from litestar.exceptions import NotFoundException

        raise NotFoundException("no such item")
    return {"id": item_id}


def test_requests_are_timed_by_template_and_status() -> None:
    registry = CollectorRegistry()
    histogram = Histogram(
        "t_request_seconds", "t", ["method", "route", "status"], registry=registry
    )
    app = Litestar([item], middleware=[RequestTiming(histogram)])
    with TestClient(app) as client:
        client.get("/items/abc")
        client.get("/items/def")
        client.get("/items/missing")
    value = registry.get_sample_value
    labels = {"method": "GET", "route": "/items/{item_id}"}
    assert value("t_request_seconds_count", {**labels, "status": "200"}) == 2
    assert value("t_request_seconds_count", {**labels, "status": "404"}) == 1
