"""The notifier's settings: environment names, a secret URL, errors naming the variable."""

from __future__ import annotations

import pytest

from mediawatch_common.settings import SettingsError
from mediawatch_notifier.routing import load_routing
from mediawatch_notifier.settings import NotifierSettings, load

pytestmark = pytest.mark.unit


def test_defaults_and_environment_names() -> None:
    notifier = load(
        NotifierSettings, {"NOTIFIER_URL": "https://x.test/h", "NOTIFIER_SINK_TYPE": "discord"}
    )

    assert notifier.sink_type == "discord"
    assert notifier.url is not None
    assert "x.test" not in repr(notifier)


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="NOTIFIER_SINK_TYPE"):
        load(NotifierSettings, {"NOTIFIER_SINK_TYPE": "pager"})


def test_alertmanager_shortcut_and_dashboard_address() -> None:
    notifier = load(
        NotifierSettings,
        {
            "NOTIFIER_URL": "http://am.test:9093",
            "NOTIFIER_SINK_TYPE": "alertmanager",
            "NOTIFIER_DASHBOARD_URL": "https://mw.example.com",
        },
    )
    routing = load_routing(notifier, resolve=lambda _host: ["10.0.0.7"])

    assert routing.sinks["default"].url.get_secret_value() == "http://am.test:9093/api/v2/alerts"
    assert str(notifier.dashboard_url).rstrip("/") == "https://mw.example.com"
    with pytest.raises(SettingsError, match="NOTIFIER_DASHBOARD_URL"):
        load(NotifierSettings, {"NOTIFIER_DASHBOARD_URL": "mw.example.com"})
