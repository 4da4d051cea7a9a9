"""The dashboard's pages and cookie sign-in: redirects, HttpOnly cookie, CSRF, assets, series."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.users import add_user
from mediawatch_api.web import Services
from mediawatch_common.events import Stage
from tests.e2e.assets import ensure_web_assets
from tests.integration.api.conftest import PASSWORD
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import sample, window

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}


def _sign_in(client: TestClient[Litestar], services: Services, name: str, role: str) -> str:
    with services.engine.begin() as conn:
        add_user(conn, name, PASSWORD, role)
    answer = client.post(
        "/api/v1/auth/session", json={"username": name, "password": PASSWORD}, headers=JSON
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["role"] == role
    return client.cookies["mw_csrf"]


def test_pages_need_a_session_and_the_cookie_is_http_only(
    client: TestClient[Litestar], services: Services
) -> None:
    for path in ("/", "/sessions/s-1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code in (302, 303, 307), path
        assert answer.headers["location"] == "/login"
    login_page = client.get("/login")
    assert login_page.status_code == 200
    assert "script-src 'self'" in login_page.headers["content-security-policy"]
    assert '<form id="login"' in login_page.text

    _sign_in(client, services, "admin1", "admin")
    assert "mw_token" in client.cookies
    set_cookie = client.post(
        "/api/v1/auth/session", json={"username": "admin1", "password": PASSWORD}, headers=JSON
    ).headers.get_list("set-cookie")
    token_cookie = next(c for c in set_cookie if c.startswith("mw_token="))
    assert "HttpOnly" in token_cookie
    assert "samesite=strict" in token_cookie.lower()
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-admin="true"' in page.text
    assert "admin1" in page.text
    timeline_page = client.get("/sessions/<script>")
    assert "<script>" not in timeline_page.text.split("<main", 1)[1]


def test_cookie_requests_need_the_csrf_token_but_bearer_requests_do_not(
    client: TestClient[Litestar], services: Services
) -> None:
    csrf = _sign_in(client, services, "admin1", "admin")
    assert client.get("/api/v1/monitoring/alerts").status_code == 200
    body = {
        "matchers": [{"label": "rule", "op": "=", "value": "x"}],
        "duration_minutes": 5,
        "comment": "",
    }
    forged = client.post("/api/v1/monitoring/silences", json=body)
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]
    wrong = client.post("/api/v1/monitoring/silences", json=body, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    # With the token the request reaches the handler, which rejects the empty comment.
    checked = client.post("/api/v1/monitoring/silences", json=body, headers={"X-CSRF-Token": csrf})
    assert checked.status_code == 400
    bearer = login(client, services, "admin2", "admin")
    client.cookies.clear()
    assert client.post("/api/v1/monitoring/silences", json=body, headers=bearer).status_code == 400


def test_sign_in_refuses_forms_and_other_origins(
    client: TestClient[Litestar], services: Services
) -> None:
    with services.engine.begin() as conn:
        add_user(conn, "viewer1", PASSWORD, "viewer")
    credentials = json.dumps({"username": "viewer1", "password": PASSWORD})
    as_text = client.post(
        "/api/v1/auth/session", content=credentials, headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    elsewhere = client.post(
        "/api/v1/auth/session",
        content=credentials,
        headers={**JSON, "Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    assert "mw_token" not in client.cookies
    signed_out = client.post("/api/v1/auth/session", content=credentials, headers=JSON)
    assert signed_out.status_code == 200


def test_assets_are_served_locally(client: TestClient[Litestar]) -> None:
    ensure_web_assets()
    script = client.get("/vendor/uplot/uPlot.iife.min.js")
    assert script.status_code == 200
    assert "uPlot" in script.text
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/dashboard.css").status_code == 200


def test_window_series_and_bucketed_metrics(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    minute = now - timedelta(minutes=10)
    project(
        database_url,
        schema,
        [
            window(minute, Stage.MERGING, attempts=10, failures=2, p95=4.0),
            window(minute + timedelta(minutes=1), Stage.MERGING, 30, 0, 6.0),
            window(minute, Stage.UPLOAD, 5, 0, 1.0),
            window(minute, Stage.MERGING, 99, 99, 99.0, size=300),  # not tumbling by 60
            sample(now - timedelta(minutes=3), "worker-1", 10.0),
            sample(now - timedelta(minutes=2), "worker-1", 30.0),
            sample(now - timedelta(minutes=2), "worker-2", 50.0),
        ],
    )
    viewer = login(client, services, "viewer1", "viewer")
    series = client.get("/api/v1/monitoring/windows/series?hours=1", headers=viewer).json()
    assert (series["window_seconds"], series["window_sizes"]) == (60, [60, 300])
    assert series["bucket_seconds"] == 60
    stamps = series["timestamps"]
    at = stamps.index(int(minute.timestamp()))
    merging = series["stages"]["merging"]
    assert merging["attempts"][at : at + 2] == [10, 30]
    assert merging["error_rate"][at : at + 2] == [0.2, 0.0]
    assert merging["throughput_per_minute"][at] == 10.0
    assert merging["p95"][at : at + 2] == [4.0, 6.0]
    assert merging["attempts"][at + 2] is None
    assert series["latest_percentiles"]["merging"]["p95_seconds"] == 6.0
    assert series["stages"]["compression"]["attempts"] == [None] * len(stamps)

    bucketed = client.get(
        "/api/v1/monitoring/metrics/system?hours=1&bucket_seconds=3600", headers=viewer
    ).json()
    by_host = {m["host"]: m["cpu_usage_percent"] for m in bucketed["metrics"]}
    assert bucketed["hosts"] == ["worker-1", "worker-2"]
    assert by_host["worker-2"] == 50.0
    assert by_host["worker-1"] in (10.0, 20.0, 30.0)  # one or two hour buckets
    raw = client.get("/api/v1/monitoring/metrics/system?hours=1", headers=viewer).json()
    assert raw["count"] == 3


def test_window_series_charts_the_windows_the_aggregator_produced(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    # The demo's aggregator: 10 s tumbling windows and 30 s windows hopping by 10 s.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=5)
    tumbling = [window(start + timedelta(seconds=10 * i), Stage.UPLOAD, 2, 0, 1.5, size=10)
                for i in range(6)]  # fmt: skip
    hopping = replace(window(start, Stage.UPLOAD, 6, 0, 9.0, size=30), hop_seconds=10)
    project(database_url, schema, [*tumbling, hopping])
    viewer = login(client, services, "viewer1", "viewer")

    chosen = client.get("/api/v1/monitoring/windows/series?hours=1", headers=viewer).json()
    sixty = client.get(
        "/api/v1/monitoring/windows/series?hours=1&window_seconds=60", headers=viewer
    ).json()

    assert (chosen["window_seconds"], chosen["window_sizes"]) == (10, [10])
    upload = chosen["stages"]["upload"]
    at = chosen["timestamps"].index(int(start.timestamp()))
    assert upload["attempts"][at] == 12  # six 10 s windows in one 60 s bucket
    assert upload["p95"][at] == 1.5
    assert chosen["latest_percentiles"]["upload"]["p95_seconds"] == 1.5
    assert sixty["latest_percentiles"] == {}
    assert sixty["window_sizes"] == [10]
