"""``GET /metrics``: request durations by route, projection figures read in the background."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, text

from mediawatch_api.web.services import Services
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration


def _samples(client: TestClient[Litestar]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_requests_are_timed_by_route_template_and_status(
    client: TestClient[Litestar], services: Services
) -> None:
    assert client.get("/api/v1/monitoring/health").status_code == 200
    timeline = "/api/v1/monitoring/sessions/video_session_x/timeline"
    assert client.get(timeline).status_code == 401
    samples = _samples(client)
    ok = (("method", "GET"), ("route", "/api/v1/monitoring/health"), ("status", "200"))
    assert samples[("mediawatch_api_request_duration_seconds_count", ok)] >= 1
    routes = {
        dict(labels)["route"] for name, labels in samples if name.startswith("mediawatch_api_")
    }
    assert "/api/v1/monitoring/sessions/{session_id}/timeline" in routes
    assert not any("video_session_x" in route for route in routes)
    assert ("process_cpu_seconds_total", ()) in samples
    assert any(name == "python_info" for name, _ in samples)


def test_a_scrape_runs_no_sql(client: TestClient[Litestar], services: Services) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    refreshed = ("mediawatch_projection_refreshed_timestamp_seconds", ())
    assert wait_for(lambda: refreshed in _samples(client))  # read once at start
    event.listen(services.engine, "before_cursor_execute", count)
    try:
        read_at = {_samples(client)[refreshed] for _ in range(5)}
        assert statements == []
        with services.reads.connect() as conn:  # the listener sees the engine the API reads with
            conn.execute(text("SELECT 1"))
        assert statements == ["SELECT 1"]
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
    assert len(read_at) == 1
