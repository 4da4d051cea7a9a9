"""The OpenAPI document declares the error statuses each route can answer, with the body the
app really sends; checked on an app whose database and broker are never reached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from mediawatch_api.web.app import NOT_RATE_LIMITED
from mediawatch_api.web.auth import PUBLIC, admin_only
from tests.unit.api.offline import offline_app

pytestmark = pytest.mark.unit

PASSWORD_ROUTES = {"/api/v1/auth/login", "/api/v1/auth/session"}


@pytest.fixture
def app() -> Iterator[Litestar]:
    """The app over collaborators that are never called (no request here reaches them)."""
    with offline_app(rate_limit_per_minute=4) as built:
        yield built


@pytest.fixture
def document(app: Litestar) -> dict[str, Any]:
    with TestClient(app=app) as client:
        found: dict[str, Any] = client.get("/schema/openapi.json").json()
    return found


def _operations(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            for method in handler.http_methods:
                yield path, method.lower(), handler


def test_an_admin_route_declares_401_and_403_and_a_limited_route_429(
    document: dict[str, Any],
) -> None:
    clear = document["paths"]["/api/v1/monitoring/alerts"]["delete"]["responses"]
    assert {"401", "403", "429"} <= set(clear)
    stats = document["paths"]["/api/v1/monitoring/stats"]["get"]["responses"]
    assert {"400", "401", "403", "429"} <= set(stats)  # 403: a producer token reads nothing
    error = {"$ref": "#/components/schemas/ErrorBody"}
    assert clear["403"]["content"]["application/json"]["schema"] == error
    assert stats["429"]["content"]["application/json"]["schema"] == error


def test_public_routes_need_no_token_and_health_is_never_limited(
    document: dict[str, Any],
) -> None:
    health = document["paths"]["/api/v1/monitoring/health"]["get"]
    ping = document["paths"]["/api/v1/monitoring/ping"]["get"]
    assert health["security"] == [{}]
    assert ping["security"] == [{}]
    assert set(health["responses"]) == {"200"}
    assert set(ping["responses"]) == {"200", "429"}
    assert "security" not in document["paths"]["/api/v1/monitoring/stats"]["get"]


def test_every_route_declares_what_its_configuration_can_answer(
    app: Litestar, document: dict[str, Any]
) -> None:
    checked = 0
    for path, method, handler in _operations(app):
        declared = set(document["paths"][path][method]["responses"])
        public = any(re.search(p, path) for p in PUBLIC)
        admin = admin_only in handler.resolve_guards()
        limited = not any(re.search(p, path) for p in NOT_RATE_LIMITED)
        body = "data" in handler.parsed_fn_signature.parameters
        params = bool(document["paths"][path][method].get("parameters"))
        where = f"{method.upper()} {path}"
        assert ("401" in declared) == (not public or path in PASSWORD_ROUTES), where
        assert not admin or "403" in declared, where
        assert ("429" in declared) == limited, where
        assert ("413" in declared) == body, where
        assert ("400" in declared) == (params or body), where
        checked += 1
    assert checked >= 20


def _error_schema(document: dict[str, Any]) -> dict[str, Any]:
    return {**document["components"]["schemas"]["ErrorBody"], "components": document["components"]}


def test_the_errors_sent_match_the_declared_body(app: Litestar, document: dict[str, Any]) -> None:
    schema = _error_schema(document)
    with TestClient(app=app) as client:  # 4 a minute: the document, then 3 more
        unauthenticated = client.get("/api/v1/monitoring/stats")
        bad = client.post("/api/v1/auth/login", content=b"{not json")
        answers = [client.get("/api/v1/monitoring/ping") for _ in range(2)]
        health = client.get("/api/v1/monitoring/health")
    assert unauthenticated.status_code == 401
    assert bad.status_code == 400
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[0].json() == {"status": "ok"}
    assert health.status_code == 200
    for error in (unauthenticated, bad, answers[-1]):
        jsonschema.validate(error.json(), schema)
        assert error.headers["content-type"] == "application/json"


def test_the_event_ingest_shows_each_event_schema_from_the_contract(
    document: dict[str, Any],
) -> None:
    ingest = document["paths"]["/api/v1/events"]["post"]
    assert {"202", "401", "403", "413", "422", "429", "503"} <= set(ingest["responses"])
    ref = ingest["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    events = body["properties"]["events"]
    assert (events["minItems"], events["maxItems"]) == (1, 500)
    shapes = {item["title"]: item for item in events["items"]["oneOf"]}
    assert set(shapes) == {
        "StageStarted", "StageCompleted", "ResourceSample", "CustomAlertReported",
    }  # fmt: skip
    completed = shapes["StageCompleted"]
    assert completed["required"] == [
        "type", "session_id", "user_id", "stage", "started_at", "success", "duration_seconds",
    ]  # fmt: skip
    assert completed["properties"]["started_at"]["format"] == "date-time"
    assert "FFMPEG_FAILED" in completed["properties"]["error_code"]["anyOf"][1]["enum"]
    assert completed["additionalProperties"] is False


def test_a_word_parameter_is_documented_as_its_words_in_any_case(
    document: dict[str, Any],
) -> None:
    recent = document["paths"]["/api/v1/monitoring/logs/recent"]["get"]["parameters"]
    (level,) = [p for p in recent if p["name"] == "level"]
    schema, _null = level["schema"]["oneOf"]
    assert schema["examples"] == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
    pattern = re.compile(schema["pattern"])
    assert pattern.search("error")
    assert pattern.search("Error")
    assert not pattern.search("loud")
    silences = document["paths"]["/api/v1/monitoring/silences"]["get"]["parameters"]
    assert [p["name"] for p in silences if "pattern" in str(p["schema"])] == ["state"]
