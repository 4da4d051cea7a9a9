"""The 401/403 matrix, rate limits, request size, the audit log of failed logins."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from mediawatch_api.users import add_user, remove_user
from mediawatch_api.web import Services, create_app
from tests.integration.api.conftest import SECRET
from tests.integration.api.helpers import login

pytestmark = pytest.mark.integration

STATS = "/api/v1/monitoring/stats"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "sub": "admin1",
        "exp": now + timedelta(minutes=5),
        "iat": now,
        "extras": {"role": "admin"},
    } | overrides


def test_token_matrix(client: TestClient[Litestar], services: Services) -> None:
    viewer = login(client, services, "viewer1", "viewer")
    admin = login(client, services, "admin1", "admin")
    expired = jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(minutes=1)), SECRET, "HS256")
    forged = jwt.encode(_claims(), "another-secret-of-the-same-length-xxxxxxxx", "HS256")
    unsigned = jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]

    assert client.get(STATS).status_code == 401
    assert client.get(STATS, headers=_bearer("not-a-token")).status_code == 401
    assert client.get(STATS, headers=_bearer(expired)).status_code == 401
    assert client.get(STATS, headers=_bearer(forged)).status_code == 401
    assert client.get(STATS, headers=_bearer(unsigned)).status_code == 401
    assert client.get(STATS, headers=viewer).status_code == 200
    assert client.get("/api/v1/monitoring/health/detailed").status_code == 401
    assert client.post("/api/v1/monitoring/cleanup", headers=viewer).status_code == 403
    assert client.delete("/api/v1/monitoring/alerts", headers=viewer).status_code == 403
    assert client.post("/api/v1/monitoring/test/alert", headers=viewer).status_code == 403
    assert client.post("/api/v1/monitoring/cleanup", headers=admin).status_code == 200


def test_a_removed_demoted_or_reset_account_s_token_stops_working_within_the_check_period(
    services: Services,
) -> None:
    checked = dataclasses.replace(services, api=services.api.model_copy(
        update={"account_check_seconds": 0.5}))  # fmt: skip
    with TestClient(app=create_app(checked, SECRET)) as client:
        viewer = login(client, checked, "viewer1", "viewer")
        admin = login(client, checked, "admin1", "admin")
        reset = login(client, checked, "viewer2", "viewer")
        assert client.get(STATS, headers=viewer).status_code == 200
        assert client.get(STATS, headers=reset).status_code == 200
        assert client.post("/api/v1/monitoring/cleanup", headers=admin).status_code == 200
        with checked.engine.begin() as conn:
            assert remove_user(conn, "viewer1")
            conn.execute(text("UPDATE users SET role = 'viewer' WHERE username = 'admin1'"))
            add_user(conn, "viewer2", "a new password, set after a leak", "viewer")
        time.sleep(0.6)  # past the check period: the next request reads each account again

        assert client.get(STATS, headers=viewer).status_code == 401
        demoted = client.post("/api/v1/monitoring/cleanup", headers=admin)
        assert (demoted.status_code, demoted.json()["detail"]) == (403, "admin role required")
        assert client.get(STATS, headers=admin).status_code == 200
        assert client.get(STATS, headers=reset).status_code == 401
        relogin = {"username": "viewer2", "password": "a new password, set after a leak"}
        fresh = client.post("/api/v1/auth/login", json=relogin).json()["access_token"]
        assert client.get(STATS, headers=_bearer(fresh)).status_code == 200


def test_failed_login_is_401_and_audited(client: TestClient[Litestar], services: Services) -> None:
    login(client, services, "admin1", "admin")
    wrong = client.post("/api/v1/auth/login", json={"username": "admin1", "password": "nope"})
    unknown = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x" * 9})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    with services.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action, outcome FROM audit_log ORDER BY id")
        ).fetchall()
    assert [tuple(r) for r in rows] == [("admin1", "login", "denied"), ("ghost", "login", "denied")]
    assert "nope" not in str(rows)


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "adm\\u0000in1", "password": "x"}',  # NUL: PostgreSQL text refuses it
        '{"username": "admin1", "password": "x\\u0000"}',
        '{"username": "\\ud83d\\ude00", "password": "x"}',  # a surrogate pair: fine, unknown
    ],
)
def test_credentials_the_database_cannot_store_are_a_401_not_a_500(
    client: TestClient[Litestar], services: Services, body: str
) -> None:
    login(client, services, "admin1", "admin")
    headers = {"Content-Type": "application/json"}
    answer = client.post("/api/v1/auth/login", content=body, headers=headers)
    assert answer.status_code == 401, answer.text
    with services.engine.connect() as conn:
        actors = conn.execute(text("SELECT actor FROM audit_log")).scalars().all()
    assert len(actors) == 1
    assert "\x00" not in actors[0]


def test_rate_limit_headers_and_spoofed_forwarded_for(services: Services) -> None:
    api = services.api.model_copy(update={"rate_limit_per_minute": 3})
    limited = Services(**{**services.__dict__, "api": api})
    with TestClient(app=create_app(limited, SECRET)) as client:
        viewer = login(client, limited, "viewer1", "viewer")  # the first request
        answers = [
            client.get(STATS, headers={**viewer, "X-Forwarded-For": f"10.0.0.{i}"})
            for i in range(3)
        ]
        unauthenticated = client.get(STATS)

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert answers[0].headers["RateLimit-Remaining"] == "1"
    assert answers[1].headers["RateLimit-Remaining"] == "0"
    assert "RateLimit-Reset" in answers[2].headers
    assert unauthenticated.status_code == 429


def test_oversized_body_is_refused(client: TestClient[Litestar]) -> None:
    big = {"username": "a", "password": "x" * 20000}

    assert client.post("/api/v1/auth/login", json=big).status_code == 413
