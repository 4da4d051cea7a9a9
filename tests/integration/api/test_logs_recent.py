"""``GET /logs/recent``: the newest shipped records, filtered by level, service, host,
session and age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import Producer
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import log

pytestmark = pytest.mark.integration

RECENT = "/api/v1/monitoring/logs/recent"
API = Producer(service="api", host="web-1", pid=7)
WORKER_2 = Producer(service="transcoder", host="worker-2", pid=9)


@pytest.fixture
def shipped(database_url: str, schema: str) -> datetime:
    now = datetime.now(UTC)
    project(
        database_url,
        schema,
        [
            log(now - timedelta(hours=3), "ERROR", "old failure", session_id="s-old"),
            log(now - timedelta(minutes=5), "INFO", "stage completed", session_id="s-1"),
            log(now - timedelta(minutes=4), "ERROR", "stage failed", session_id="s-2"),
            log(now - timedelta(minutes=3), "WARNING", "slow request", API, session_id="-"),
            log(now - timedelta(minutes=2), "CRITICAL", "disk full", WORKER_2, "s-3"),
        ],
    )
    return now


def _messages(client: TestClient[Litestar], headers: dict[str, str], query: str) -> list[str]:
    response = client.get(f"{RECENT}?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [r["message"] for r in response.json()["logs"]]


def test_filters_narrow_the_answer(
    client: TestClient[Litestar], services: Services, shipped: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    every = client.get(f"{RECENT}?lines=100", headers=headers).json()

    assert len(every["logs"]) == every["total"] == 5
    assert every["logs"][-1]["timestamp"].endswith("Z")
    assert every["logs"][-1]["host"] == "worker-2"
    assert _messages(client, headers, "lines=2") == ["slow request", "disk full"]
    assert _messages(client, headers, "level=ERROR") == ["old failure", "stage failed", "disk full"]
    assert _messages(client, headers, "service=api") == ["slow request"]
    assert _messages(client, headers, "host=worker-2") == ["disk full"]
    assert _messages(client, headers, "session_id=s-2") == ["stage failed"]
    assert _messages(client, headers, "since=1h&level=ERROR") == ["stage failed", "disk full"]
    since = (shipped - timedelta(minutes=3, seconds=30)).isoformat().replace("+00:00", "Z")
    assert _messages(client, headers, f"since={since}") == ["slow request", "disk full"]
    assert _messages(client, headers, "service=transcoder&level=ERROR&since=90m") == [
        "stage failed",
        "disk full",
    ]
    filtered = client.get(f"{RECENT}?service=api&since=90m", headers=headers).json()["filters"]
    assert filtered["service"] == "api"
    assert filtered["since"].endswith("Z")


def test_level_is_taken_in_any_case(
    client: TestClient[Litestar], services: Services, shipped: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    for spelling in ("error", "Error", "ERROR", "eRrOr"):
        answer = client.get(f"{RECENT}?level={spelling}", headers=headers)

        assert answer.status_code == 200, answer.text
        assert answer.json()["filters"]["level"] == "ERROR"
        assert [r["message"] for r in answer.json()["logs"]] == [
            "old failure",
            "stage failed",
            "disk full",
        ]


def test_an_unknown_level_names_the_parameter_and_the_levels(
    client: TestClient[Litestar], services: Services
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    for path in (RECENT, "/api/v1/monitoring/logs/stream"):
        answer = client.get(f"{path}?level=loud", headers=headers)

        assert answer.status_code == 400, (path, answer.text)
        (problem,) = answer.json()["extra"]
        assert (problem["key"], problem["source"]) == ("level", "query")
        assert "DEBUG, INFO, WARNING, ERROR, CRITICAL" in problem["message"]
        assert "'loud'" in problem["message"]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("lines=0", "lines"),
        ("lines=1001", "lines"),
        ("level=LOUD", "level"),
        ("since=yesterday", "since"),
        ("since=@12", "since"),
        ("service=" + "x" * 201, "service"),
    ],
)
def test_wrong_parameters_get_a_clear_400(
    client: TestClient[Litestar], services: Services, query: str, key: str
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    response = client.get(f"{RECENT}?{query}", headers=headers)

    assert response.status_code == 400
    assert key in response.text
    assert "offset" not in response.text  # the API takes times and ages only
