"""``GET /alerts``: firing by default, ``status`` widens it, ``level`` and ``limit`` narrow it;
the first resolution of an alert is the one kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import AlertLevel, AlertResolved, Event
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import WHO, alert

pytestmark = pytest.mark.integration

ALERTS = "/api/v1/monitoring/alerts"


def _resolved(alert_id: str, at: datetime, reason: str, actor: str | None = None) -> AlertResolved:
    return AlertResolved(
        producer=WHO,
        event_time=at,
        alert_id=alert_id,
        fingerprint=f"fp-{alert_id}",
        rule="processing_failed",
        reason=reason,
        ends_at=at,
        actor=actor,
    )


@pytest.fixture
def seeded(database_url: str, schema: str) -> None:
    """Five alerts: two of them resolved (one cleared by hand, then resolved again)."""
    now = datetime.now(UTC)
    levels = [AlertLevel.WARNING, AlertLevel.ERROR, AlertLevel.CRITICAL]
    events: list[Event] = [
        alert(now - timedelta(minutes=10 - i), f"a{i}", levels[i % 3]) for i in range(5)
    ]
    events += [
        _resolved("a1", now - timedelta(minutes=2), "cleared", "admin1"),
        _resolved("a1", now - timedelta(minutes=1), "stage succeeded"),  # too late: kept first
        _resolved("a2", now - timedelta(minutes=1), "stage succeeded"),
    ]
    project(database_url, schema, events)


def _ids(client: TestClient[Litestar], headers: dict[str, str], **params: str | int) -> list[str]:
    response = client.get(ALERTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["alerts"]]


def test_firing_by_default_and_status_widens(
    client: TestClient[Litestar], services: Services, seeded: None
) -> None:
    headers = login(client, services, "viewer1", "viewer")

    assert _ids(client, headers) == ["a4", "a3", "a0"]
    assert _ids(client, headers, status="firing") == ["a4", "a3", "a0"]
    assert _ids(client, headers, status="resolved") == ["a2", "a1"]
    assert _ids(client, headers, status="all") == ["a4", "a3", "a2", "a1", "a0"]
    assert _ids(client, headers, status="all", limit=2) == ["a4", "a3"]
    cleared = client.get(ALERTS, params={"status": "resolved"}, headers=headers).json()
    a1 = cleared["alerts"][1]
    assert (a1["resolve_reason"], a1["resolved_by"], a1["status"]) == (
        "cleared",
        "admin1",
        "resolved",
    )
    assert cleared["alerts"][0]["resolved_by"] is None


def test_level_filters_within_the_status(
    client: TestClient[Litestar], services: Services, seeded: None
) -> None:
    headers = login(client, services, "viewer1", "viewer")

    assert _ids(client, headers, level="critical") == []  # a2 resolved
    assert _ids(client, headers, level="critical", status="all") == ["a2"]
    assert _ids(client, headers, level="warning") == ["a3", "a0"]
    assert _ids(client, headers, level="error", limit=25) == ["a4"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("status=bogus", "status"),
        ("level=fatal", "level"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
    ],
)
def test_bad_values_get_a_400_naming_the_parameter(
    client: TestClient[Litestar], services: Services, query: str, name: str
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    response = client.get(f"{ALERTS}?{query}", headers=headers)
    assert response.status_code == 400
    assert name in response.text
