"""``/health/detailed``: this host's checks plus the latest report of every host's reporter."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import HealthChecked, HealthCheckResult, Producer
from mediawatch_common.kafka import ConsumerLoop, Topics
from tests.integration.api.helpers import login, project
from tests.integration.health_reporter.helpers import reporter, reporter_env
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

DETAILED = "/api/v1/monitoring/health/detailed"


def _silent_host(services: Services) -> HealthChecked:
    """worker-9's last report, an hour old, from a reporter due every minute."""
    return HealthChecked(
        producer=Producer(service="health-reporter", host="worker-9", pid=1),
        host="worker-9",
        overall_status="critical",
        checked_at=services.clock() - timedelta(hours=1),
        total_check_time_ms=12.0,
        checks=(
            HealthCheckResult(
                component="ffmpeg",
                status="critical",
                message="ffmpeg not found on PATH",
                response_time_ms=0.4,
                details={"available": False},
            ),
        ),
        interval_seconds=60.0,
    )


def _of(body: dict[str, Any], component: str) -> list[dict[str, Any]]:
    return [c for c in body["checks"] if c["component"] == component]


def test_detailed_health_lists_every_hosts_latest_report_with_its_host(
    client: TestClient[Litestar],
    services: Services,
    projector: ConsumerLoop[object],
    bootstrap: str,
    topics: Topics,
    database_url: str,
    schema: str,
    tmp_path: Path,
) -> None:
    project(database_url, schema, [_silent_host(services)])
    viewer = login(client, services, "viewer1", "viewer")
    prefix = topics.jobs.name.rsplit(".", 1)[0]
    here = socket.gethostname()
    answers: list[dict[str, Any]] = []

    def has_report() -> bool:
        answers.append(client.get(DETAILED, headers=viewer).json())
        return bool(_of(answers[-1], "consumer_lag"))

    with reporter(reporter_env(bootstrap, prefix, tmp_path, 2), tmp_path / "reporter.log"):
        assert wait_for(has_report, timeout=60), (tmp_path / "reporter.log").read_text()
    body = answers[-1]

    checks = body["checks"]
    assert all(isinstance(c["host"], str) and c["host"] for c in checks)
    assert [c["host"] for c in _of(body, "postgresql")] == [here]
    assert [c["host"] for c in _of(body, "consumer_lag")] == [here]
    reporters = {c["host"]: c for c in _of(body, "health_reporter")}
    assert reporters[here]["status"] == "healthy"
    assert reporters["worker-9"]["status"] == "critical"
    assert reporters["worker-9"]["message"].startswith("No health report for")
    assert ("worker-9", "critical") in {(c["host"], c["status"]) for c in _of(body, "ffmpeg")}
    assert body["overall_status"] == "critical"
    assert body["hosts"] == sorted({here, "worker-9"})
    assert body["summary"]["total_checks"] == len(checks)
    assert body["summary"]["critical"] >= 2
    assert body["timestamp"].endswith("Z")
