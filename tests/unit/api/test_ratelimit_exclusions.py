"""Which request paths the API's rate limit skips: matched against the full request path, so a
controller's or router's prefix counts (on an app whose database and broker are never reached)."""

from __future__ import annotations

import pytest

from tests.unit.api.asgi import answers
from tests.unit.api.offline import offline_app

pytestmark = pytest.mark.unit

NONE: dict[str, str] = {}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/monitoring/health", 200),
        ("HEAD", "/api/v1/monitoring/health", 200),
        ("GET", "/static/dashboard.css", 200),
        ("GET", "/vendor/uplot/absent.js", 404),  # the route, whether npm ran or not
    ],
)
def test_excluded_paths_are_neither_counted_nor_limited(
    method: str, path: str, status: int
) -> None:
    with offline_app(rate_limit_per_minute=1) as app:
        got = answers(app, [(method, path, NONE)] * 3)
    assert [a.status_code for a in got] == [status] * 3
    assert not any("ratelimit-limit" in a.headers for a in got)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/monitoring/ping", "/api/v1/monitoring/health/detailed", "/login"],
)
def test_other_paths_are_limited_even_when_they_start_like_an_excluded_one(path: str) -> None:
    with offline_app(rate_limit_per_minute=1) as app:
        first, second = answers(app, [("GET", path, NONE)] * 2)
    assert first.status_code != 429
    assert second.status_code == 429
    assert second.headers["ratelimit-limit"] == "1"
