"""The service settings: defaults, environment names, errors naming the variable."""

from __future__ import annotations

import pytest

from mediawatch_alerter.settings import AlerterSettings, NotifierSettings, load
from mediawatch_common.settings import SettingsError

pytestmark = pytest.mark.unit


def test_defaults_and_environment_names() -> None:
    alerter = load(AlerterSettings, {"ALERTER_TICK_SECONDS": "1.5"})
    notifier = load(
        NotifierSettings, {"NOTIFIER_URL": "https://x.test/h", "NOTIFIER_SINK_TYPE": "discord"}
    )

    assert alerter.tick_seconds == 1.5
    assert alerter.event_alert_ttl_seconds == 3600
    assert notifier.sink_type == "discord"
    assert notifier.url is not None
    assert "x.test" not in repr(notifier)


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="NOTIFIER_SINK_TYPE"):
        load(NotifierSettings, {"NOTIFIER_SINK_TYPE": "pager"})
