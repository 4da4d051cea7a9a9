"""The alerter's settings: defaults and environment names."""

from __future__ import annotations

import pytest

from mediawatch_alerter.settings import AlerterSettings, load

pytestmark = pytest.mark.unit


def test_defaults_and_environment_names() -> None:
    alerter = load(AlerterSettings, {"ALERTER_TICK_SECONDS": "1.5"})

    assert alerter.tick_seconds == 1.5
    assert alerter.event_alert_ttl_seconds == 3600
