"""The query API's fixtures (schema, topics, projector, app), reused by the client's tests."""

from __future__ import annotations

from tests.integration.api.conftest import (  # noqa: F401 - fixtures, found by name
    api_settings,
    client,
    projector,
    schema,
    service_settings,
    services,
    storage_settings,
    topics,
)
