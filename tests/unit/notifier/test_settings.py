"""The notifier's settings: environment names, a secret URL, errors naming the variable."""

from __future__ import annotations

import pytest

from mediawatch_common.settings import SettingsError
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
