"""Seed known data straight through the projection, and log users in."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.users import add_user
from mediawatch_api.web import Services
from mediawatch_common.events import Event
from mediawatch_common.kafka import Record
from mediawatch_projector import Projection
from mediawatch_projector.message_decoding import Decoded
from mediawatch_store import connect
from tests.integration.api.conftest import PASSWORD


def project(database_url: str, schema: str, events: Sequence[Event], topic: str = "t") -> None:
    """Write ``events`` with the projector's own handler (as if consumed at offsets 0..n)."""
    projection = Projection(functools.partial(connect, database_url, schema), "seed")
    records: list[Record[Decoded]] = [
        Record(topic, 0, i, None, 0, event) for i, event in enumerate(events)
    ]
    projection.handle(records)
    projection.close()


def login(client: TestClient[Litestar], services: Services, name: str, role: str) -> dict[str, str]:
    """Create ``name`` with ``role`` and return its Authorization header."""
    with services.engine.begin() as conn:
        add_user(conn, name, PASSWORD, role)
    response = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
