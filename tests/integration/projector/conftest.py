"""The query-API tests' schema and topics fixtures, reused by the projector's tests."""

from __future__ import annotations

from tests.integration.api.conftest import (  # noqa: F401 - fixtures, found by name
    schema,
    topics,
)
