"""Silences, acknowledgements and deliveries: admin commands go through the event log and
come back through the projector; reads serve the projected rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from mediawatch_api.web import Services
from mediawatch_common.events import AlertLevel
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import alert, delivery
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

API = "/api/v1/monitoring"


def _actions(services: Services) -> list[tuple[str, str, str]]:
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action, outcome FROM audit_log ORDER BY id"))
        return [tuple(r) for r in rows]


def test_silence_is_created_listed_and_expired_through_the_event_log(
    client: TestClient[Litestar], services: Services, projector: object
) -> None:
    admin = login(client, services, "admin1", "admin")
    viewer = login(client, services, "viewer1", "viewer")
    body = {
        "matchers": [{"label": "rule", "op": "=", "value": "processing_failed"}],
        "duration_minutes": 60,
        "comment": "maintenance of worker-1",
    }
    assert client.post(f"{API}/silences", json=body, headers=viewer).status_code == 403
    bad = {**body, "matchers": [{"label": "rule", "op": "=~", "value": "("}]}
    refused = client.post(f"{API}/silences", json=bad, headers=admin)
    assert refused.status_code == 400
    assert "regular expression" in refused.json()["detail"]

    created = client.post(f"{API}/silences", json=body, headers=admin)
    assert created.status_code == 202, created.text
    silence_id = created.json()["silence_id"]

    def active() -> list[dict[str, Any]]:
        got = client.get(f"{API}/silences?state=active", headers=viewer).json()
        return got["silences"]

    assert wait_for(lambda: [s["id"] for s in active()] == [silence_id], timeout=30)
    listed = active()[0]
    assert listed["matchers"] == [{"label": "rule", "op": "=", "value": "processing_failed"}]
    assert (listed["author"], listed["state"]) == ("admin1", "active")
    starts = datetime.fromisoformat(listed["starts_at"])
    assert datetime.fromisoformat(listed["ends_at"]) - starts == timedelta(minutes=60)

    assert client.delete(f"{API}/silences/{silence_id}", headers=viewer).status_code == 403
    assert client.delete(f"{API}/silences/{silence_id}", headers=admin).status_code == 202
    assert wait_for(lambda: active() == [], timeout=30)
    expired = client.get(f"{API}/silences?state=expired", headers=viewer).json()["silences"]
    assert [(s["id"], s["expire_reason"]) for s in expired] == [(silence_id, "expired by admin1")]
    assert client.delete(f"{API}/silences/{silence_id}", headers=admin).status_code == 409
    assert client.delete(f"{API}/silences/nope", headers=admin).status_code == 404
    assert ("admin1", "create_silence", "ok") in _actions(services)
    assert ("admin1", "expire_silence", "ok") in _actions(services)


def test_acknowledging_keeps_the_alert_firing_and_records_who(
    client: TestClient[Litestar],
    services: Services,
    projector: object,
    database_url: str,
    schema: str,
) -> None:
    project(database_url, schema, [alert(datetime.now(UTC), "alert_9_1", AlertLevel.ERROR)])
    admin = login(client, services, "admin1", "admin")
    viewer = login(client, services, "viewer1", "viewer")
    url = f"{API}/alerts/alert_9_1/acknowledge"
    assert client.post(url, json={"comment": "x"}, headers=viewer).status_code == 403
    assert client.post(f"{API}/alerts/none/acknowledge", headers=admin).status_code == 404
    ack = client.post(url, json={"comment": "on it, INC-7"}, headers=admin)
    assert ack.status_code == 202, ack.text

    def the_alert() -> dict[str, Any]:
        return client.get(f"{API}/alerts", headers=viewer).json()["alerts"][0]

    assert wait_for(lambda: the_alert()["acknowledged"], timeout=30)
    got = the_alert()
    assert got["status"] == "firing"
    assert (got["acknowledged_by"], got["acknowledge_comment"]) == ("admin1", "on it, INC-7")
    acked = client.get(f"{API}/alerts?status=acknowledged", headers=viewer).json()["alerts"]
    assert [a["id"] for a in acked] == ["alert_9_1"]
    again = client.post(url, headers=admin)
    assert again.status_code == 409
    assert "admin1" in again.json()["detail"]
    assert ("admin1", "acknowledge", "refused") in _actions(services)


def test_deliveries_are_served_per_alert_in_order(
    client: TestClient[Litestar], services: Services, database_url: str, schema: str
) -> None:
    now = datetime.now(UTC)
    project(
        database_url,
        schema,
        [
            alert(now, "alert_5_1", AlertLevel.ERROR),
            alert(now, "alert_5_2", AlertLevel.WARNING),
            delivery(now + timedelta(seconds=1), ("alert_5_1", "alert_5_2"), 1, ok=False),
            delivery(now + timedelta(seconds=3), ("alert_5_1", "alert_5_2"), 2, ok=True),
            delivery(now + timedelta(seconds=4), ("alert_5_2",), 1, ok=True, sink="audit"),
        ],
    )
    viewer = login(client, services, "viewer1", "viewer")
    first = client.get(f"{API}/alerts/alert_5_1/deliveries", headers=viewer).json()
    assert [(d["attempt"], d["outcome"], d["http_status"]) for d in first["deliveries"]] == [
        (1, "failed", 503),
        (2, "delivered", 200),
    ]
    assert first["deliveries"][0]["error"] == "HTTP 503"
    assert first["deliveries"][0]["retry_in_seconds"] == 2.0
    assert first["delivered_to"] == ["oncall"]
    second = client.get(f"{API}/alerts/alert_5_2/deliveries", headers=viewer).json()
    assert second["total"] == 3
    assert second["delivered_to"] == ["audit", "oncall"]
    none = client.get(f"{API}/alerts/alert_0_0/deliveries", headers=viewer).json()
    assert (none["total"], none["deliveries"]) == (0, [])
