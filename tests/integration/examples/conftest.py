"""Fixtures of the example pipelines' tests: the query API's, and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
from tests.integration.notifier.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local HTTP receiver standing in for a chat webhook, stopped after the test."""
    server = Receiver().start()
    yield server
    server.close()
