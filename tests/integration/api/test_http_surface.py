"""The API's HTTP surface as a whole: every time it writes is ISO 8601 UTC ending in ``Z``, and
every method on every path gets a 2xx or 4xx (405 naming the methods the path serves)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from mediawatch_api.settings import ApiSettings
from mediawatch_api.web import Services
from mediawatch_api.web.methods import served_methods
from mediawatch_common.events import AlertLevel, Stage
from tests.integration.api.conftest import SECRET
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import (
    alert,
    delivery,
    log,
    sample,
    session_events,
    silence,
    window,
)
from tests.unit.api.asgi import answers

pytestmark = pytest.mark.integration

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@pytest.fixture
def api_settings(tmp_path: Path) -> ApiSettings:
    """API settings whose live stream ends at once (the walk below opens it too)."""
    return ApiSettings(
        environment="production",
        jwt_secret=SECRET,
        storage_dir=tmp_path / "storage",
        temp_dir=tmp_path / "tmp",
        rate_limit_per_minute=100_000,
        stream_poll_seconds=0.1,
        stream_lifetime_seconds=0.2,
    )


def _times(value: Any) -> Iterator[str]:
    """Every string in ``value`` that starts like a date and time."""
    if isinstance(value, str) and STAMP.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _times(item)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item)


def test_every_time_in_an_answer_is_utc_ending_in_z(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    now = datetime.now(UTC).replace(microsecond=123456)
    start = now - timedelta(minutes=30)
    project(
        database_url,
        schema,
        [
            *session_events("s-1", start, fail_at=Stage.MERGING),
            *session_events("s-2", now - timedelta(minutes=2))[:3],
            sample(now - timedelta(minutes=5)),
            log(now - timedelta(minutes=2), "ERROR", "ffmpeg failed"),
            alert(now - timedelta(minutes=10), "alert_1_1", AlertLevel.ERROR),
            window(start, Stage.MERGING, 4, 1, 3.0),
            delivery(now - timedelta(minutes=9), ("alert_1_1",), 1, ok=True),
            silence("sil-1", now - timedelta(minutes=1), 60),
        ],
    )
    headers = login(client, services, "viewer1", "viewer")
    paths = [
        "health",
        "health/detailed",
        "stats?hours=24",
        "alerts?status=firing",
        "alerts/alert_1_1/deliveries",
        "metrics/system?hours=24",
        "sessions/active",
        "sessions/s-1/timeline",
        "windows",
        "windows/series?hours=24",
        "logs/recent?lines=10",
        "silences",
    ]
    seen: dict[str, list[str]] = {}
    for path in paths:
        answer = client.get(f"/api/v1/monitoring/{path}", headers=headers)
        assert answer.status_code == 200, (path, answer.text)
        seen[path] = list(_times(answer.json()))
        assert seen[path], f"{path} wrote no time"
        wrong = [t for t in seen[path] if not UTC_Z.match(t)]
        assert not wrong, (path, wrong)
    assert any(t.endswith(".123Z") for t in seen["logs/recent?lines=10"])  # milliseconds


def test_a_time_sent_with_z_is_accepted(client: TestClient[Litestar], services: Services) -> None:
    headers = login(client, services, "admin1", "admin")
    starts = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.250Z")
    body = {
        "matchers": [{"label": "rule", "op": "=", "value": "processing_failed"}],
        "duration_minutes": 30,
        "comment": "maintenance window",
        "starts_at": starts,
    }
    answer = client.post("/api/v1/monitoring/silences", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["starts_at"] == starts


def _concrete(path: str) -> str:
    """``path`` with each parameter filled in."""
    path = path.replace("{file_path:path}", "dashboard.js")
    return re.sub(r"\{[^}]+\}", "some-id", path)


def _walk(client: TestClient[Litestar], headers: dict[str, str]) -> list[str]:
    app = client.app
    problems = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        url, served = _concrete(route.path), served_methods(route.methods)
        for method in METHODS:
            answer = client.request(method, url, headers=headers)
            status = answer.status_code
            allow = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}
            if status >= 500:
                problems.append(f"{method} {url}: {status} {answer.text[:200]}")
            elif method == "OPTIONS" and (status != 204 or allow != served):
                problems.append(f"OPTIONS {url}: {status} Allow {sorted(allow)}, serves {served}")
            elif method not in served and (status != 405 or allow != served):
                problems.append(f"{method} {url}: {status} Allow {sorted(allow)}, serves {served}")
            elif method in served and status == 405:
                problems.append(f"{method} {url}: 405 although served")
    return problems


def test_every_method_on_every_path_gets_a_2xx_or_4xx_and_a_true_allow(
    client: TestClient[Litestar], services: Services
) -> None:
    admin = login(client, services, "admin1", "admin")
    viewer = login(client, services, "viewer1", "viewer")

    for headers in ({}, viewer, admin):
        problems = _walk(client, headers)
        assert not problems, "\n".join(problems)
    silences = client.options("/api/v1/monitoring/silences")
    assert silences.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    cleanup = client.options("/api/v1/monitoring/cleanup")
    assert (cleanup.status_code, cleanup.headers["allow"]) == (204, "OPTIONS, POST")


CHANGING = {"/api/v1/monitoring/health/detailed", "/metrics"}
"""Answers holding timings or counters, so two requests in a row differ in length."""


def test_head_answers_as_get_without_a_body(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    project(database_url, schema, session_events("s-1", datetime.now(UTC) - timedelta(minutes=1)))
    headers = login(client, services, "viewer1", "viewer")
    paths = [
        "/api/v1/monitoring/health",
        "/api/v1/monitoring/health/detailed",
        "/api/v1/monitoring/stats",
        "/api/v1/monitoring/sessions/active",
        "/api/v1/monitoring/alerts?level=Error",
        "/metrics",
    ]
    for path in paths:
        get, head = answers(client.app, [("GET", path, headers), ("HEAD", path, headers)])
        assert (get.status_code, head.status_code) == (200, 200), path
        assert get.content, path
        assert head.content == b"", path
        assert set(head.headers) == set(get.headers), path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if path not in CHANGING:
            assert head.headers["content-length"] == get.headers["content-length"], path
    streams = ["/api/v1/monitoring/alerts/stream", "/api/v1/monitoring/logs/stream"]
    for stream in answers(client.app, [("HEAD", path, headers) for path in streams]):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.content == b""
    refused = answers(client.app, [("HEAD", "/api/v1/monitoring/stats", {})])[0]
    assert (refused.status_code, refused.content) == (401, b"")


def test_the_logs_stream_sends_the_newest_errors(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    now = datetime.now(UTC)
    project(
        database_url,
        schema,
        [
            log(now - timedelta(minutes=3), "ERROR", "upload failed", session_id="s-1"),
            log(now - timedelta(minutes=2), "INFO", "merge done"),
            log(now - timedelta(minutes=1), "CRITICAL", "disk full", session_id="s-2"),
        ],
    )
    headers = login(client, services, "viewer1", "viewer")

    with client.stream("GET", "/api/v1/monitoring/logs/stream", headers=headers) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        text = answer.read().decode()

    data = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
    assert "event: logs" in text
    sent = json.loads(data[0])["logs"]
    assert [(r["level"], r["message"]) for r in sent] == [
        ("ERROR", "upload failed"),
        ("CRITICAL", "disk full"),
    ]
    assert all(UTC_Z.match(r["timestamp"]) for r in sent)
    assert len(data) == 1  # nothing changed afterwards, so nothing more was sent
