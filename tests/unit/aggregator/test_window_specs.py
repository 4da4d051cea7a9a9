"""Window geometry and the AGGREGATOR_* settings."""

from __future__ import annotations

import pytest

from mediawatch_aggregator.settings import load_aggregator_settings
from mediawatch_aggregator.windowing.window_specs import (
    MICROS,
    WindowSpec,
    pane_seconds,
    parse_specs,
)
from mediawatch_common.settings import SettingsError

pytestmark = pytest.mark.unit


def test_default_like_specs_parse_and_share_a_one_minute_pane() -> None:
    specs = parse_specs("60, 300/60, 3600/60")
    assert specs == (WindowSpec(60, 60), WindowSpec(300, 60), WindowSpec(3600, 60))
    assert pane_seconds(specs) == 60


def test_pane_is_the_gcd_of_sizes_and_hops() -> None:
    assert pane_seconds(parse_specs("4/2,6")) == 2


@pytest.mark.parametrize("bad", ["", "0", "60/120", "100/30", "x"])
def test_bad_specs_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="window"):
        parse_specs(bad)


def test_windows_containing_a_pane() -> None:
    spec = WindowSpec(300, 60)
    pane = 600 * MICROS
    starts = list(spec.starts_containing(pane, 60 * MICROS))
    assert starts == [s * MICROS for s in (360, 420, 480, 540, 600)]
    assert list(WindowSpec(60, 60).starts_containing(pane, 60 * MICROS)) == [pane]


def test_last_closed_start() -> None:
    spec = WindowSpec(300, 60)
    assert spec.last_closed_start(1000 * MICROS) == 660 * MICROS
    assert spec.last_closed_start(960 * MICROS) == 660 * MICROS


def test_settings_defaults_and_overrides() -> None:
    default = load_aggregator_settings({})
    assert [s.label for s in default.specs] == ["60s", "300s/60s", "3600s/60s"]
    custom = load_aggregator_settings(
        {"AGGREGATOR_WINDOWS": "2,4/2", "AGGREGATOR_GRACE_SECONDS": "1.5"}
    )
    assert custom.aggregation().pane == 2 * MICROS
    assert custom.aggregation().grace == 1_500_000


def test_bad_setting_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="AGGREGATOR_WINDOWS"):
        load_aggregator_settings({"AGGREGATOR_WINDOWS": "60/7"})
