"""The Prometheus rule files rendered from the settings: the checked-in files are the
rendering of the defaults, and each threshold setting changes its own alerts only."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mediawatch_alerter.prometheus import SETTING_OF, RuleThresholds, render, rule_files
from mediawatch_alerter.prometheus.cli import prometheus
from mediawatch_alerter.prometheus.thresholds import (
    human_duration,
    number,
    percent,
    prometheus_duration,
)
from mediawatch_alerter.settings import AlerterSettings, load
from mediawatch_common.settings import load_settings

pytestmark = pytest.mark.unit

CONFIG = Path(__file__).resolve().parents[3] / "infra" / "prometheus"


def _thresholds(env: Mapping[str, str]) -> RuleThresholds:
    settings = load_settings(env)
    return RuleThresholds.from_settings(
        settings.monitoring, settings.health, load(AlerterSettings, env)
    )


def _rules(env: Mapping[str, str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every rule of every rendered file, by (file, name, severity), as Prometheus reads it."""
    found = {}
    for path, text in render(_thresholds(env)).items():
        for group in yaml.safe_load(text)["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule["record"]
                found[(path, name, rule.get("labels", {}).get("severity", ""))] = rule
    return found


def test_the_checked_in_rule_files_are_the_rendering_of_the_defaults() -> None:
    rendered = render(_thresholds({}))
    on_disk = {
        str(p.relative_to(CONFIG)): p.read_text()
        for folder in ("rules", "node-exporter")
        for p in (CONFIG / folder).glob("*.yml")
    }
    assert sorted(on_disk) == sorted(rendered)
    for path, text in rendered.items():
        assert on_disk[path] == text, f"{path}: render with --output infra/prometheus"


HOSTS = ("rules/mediawatch-hosts.yml", "node-exporter/mediawatch-hosts.yml")
ALERTS = "rules/mediawatch-alerts.yml"
RESOURCES = ("MediawatchHostCpuHigh", "MediawatchHostMemoryHigh", "MediawatchHostDiskHigh")


def _hosts(*alerts: str, levels: tuple[str, ...] = ("warning",)) -> set[tuple[str, str, str]]:
    return {(f, a, level) for f in HOSTS for a in alerts for level in levels}


CHANGES = [
    ("MONITORING_ERROR_RATE_THRESHOLD", "0.05", {(ALERTS, "MediawatchStageErrorRateHigh", "error")},
     ["ratio_rate5m > 0.05\n", "(threshold 5%)"]),
    ("ALERTER_MIN_WINDOW_ATTEMPTS", "20", {(ALERTS, "MediawatchStageErrorRateHigh", "error")},
     ["* 300 >= 20"]),
    ("MONITORING_PROCESSING_TIME_THRESHOLD", "630", {(ALERTS, "MediawatchStageSlow", "warning")},
     ["p95_rate5m > 630", "(threshold 10m 30s)"]),
    ("HEALTH_CHECK_CONSUMER_LAG_THRESHOLD", "500",
     {(ALERTS, "MediawatchConsumerLagHigh", "warning")}, [":sum) > 500", "(threshold 500)"]),
    ("MONITORING_CPU_THRESHOLD", "70", _hosts("MediawatchHostCpuHigh"),
     ["percent_rate5m > 70", "percent > 70", "(threshold 70%)"]),
    ("MONITORING_MEMORY_THRESHOLD", "85.5", _hosts("MediawatchHostMemoryHigh"),
     ["percent > 85.5", "(threshold 85.5%)"]),
    ("MONITORING_DISK_THRESHOLD", "85", _hosts("MediawatchHostDiskHigh"),
     ["percent > 85", "(threshold 85%)"]),
    ("MONITORING_CRITICAL_THRESHOLD", "98", _hosts(*RESOURCES, levels=("critical",)),
     ["> 98", "(threshold 98%)"]),
    ("ALERTER_RESOURCE_FOR_SECONDS", "90", _hosts(*RESOURCES, levels=("warning", "critical")),
     ["1m30s"]),
]  # fmt: skip


def _text(rule: dict[str, Any]) -> str:
    return f"{rule['expr']}\n{rule.get('for')} {rule['annotations']['description']}"


@pytest.mark.parametrize(("variable", "value", "changed", "fragments"), CHANGES)
def test_a_setting_changes_its_own_alerts_and_nothing_else(
    variable: str, value: str, changed: set[tuple[str, str, str]], fragments: list[str]
) -> None:
    defaults, ours = _rules({}), _rules({variable: value})
    assert ours.keys() == defaults.keys()
    assert {key for key in ours if ours[key] != defaults[key]} == changed
    for key in changed:
        assert any(fragment in _text(ours[key]) for fragment in fragments), key
    every = "\n".join(_text(ours[key]) for key in changed)
    assert all(fragment in every for fragment in fragments), every


def test_every_threshold_setting_is_checked_above() -> None:
    assert {variable for variable, *_ in CHANGES} == set(SETTING_OF.values())


def test_the_text_reads_back_as_the_rule_documents() -> None:
    odd = _thresholds(
        {"MONITORING_ERROR_RATE_THRESHOLD": "0.123456789", "ALERTER_RESOURCE_FOR_SECONDS": "0.5"}
    )
    texts = render(odd)
    for file in rule_files(odd):
        assert yaml.safe_load(texts[file.path]) == file.document(), file.path
    assert "> 0.123456789\n" in texts[ALERTS]
    assert "for: 500ms" in texts[HOSTS[0]]


def test_a_comment_names_the_setting_and_its_value() -> None:
    text = render(_thresholds({"HEALTH_CHECK_CONSUMER_LAG_THRESHOLD": "2500"}))[ALERTS]
    assert "# HEALTH_CHECK_CONSUMER_LAG_THRESHOLD (2500) messages per group." in text


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (number(0.1), "0.1"), (number(80.0), "80"), (number(1e-05), "1e-05"),
        (percent(0.1), "10%"), (percent(0.125), "12.5%"), (percent(0.07), "7%"),
        (prometheus_duration(60), "1m"), (prometheus_duration(3725.25), "1h2m5s250ms"),
        (prometheus_duration(0), "0s"),
        (human_duration(300), "5m"), (human_duration(350), "5m 50s"),
        (human_duration(90000), "1d 1h"),
    ],
)  # fmt: skip
def test_numbers_and_durations_are_written_as_prometheus_and_people_read_them(
    shown: str, expected: str
) -> None:
    assert shown == expected


def test_the_command_writes_every_file_with_the_settings_it_is_given(tmp_path: Path) -> None:
    settings = load_settings({"MONITORING_ERROR_RATE_THRESHOLD": "0.2"})
    result = CliRunner().invoke(
        prometheus,
        ["rules", "--output", str(tmp_path)],
        obj=settings,
        env={"ALERTER_MIN_WINDOW_ATTEMPTS": "9"},
    )
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.yml"))
    assert written == sorted(render(_thresholds({})))
    assert result.output.split() == [str(tmp_path / p) for p in render(_thresholds({}))]
    alerts = (tmp_path / ALERTS).read_text()
    assert "ratio_rate5m > 0.2\n" in alerts
    assert ">= 9\n" in alerts


def test_the_command_refuses_a_bad_alerter_setting() -> None:
    result = CliRunner().invoke(
        prometheus, ["rules"], obj=load_settings({}), env={"ALERTER_MIN_WINDOW_ATTEMPTS": "0"}
    )
    assert result.exit_code == 2
    assert "ALERTER_MIN_WINDOW_ATTEMPTS" in result.output


def test_without_output_the_command_prints_every_file() -> None:
    result = CliRunner().invoke(prometheus, ["rules"], obj=load_settings({}))
    assert result.exit_code == 0, result.output
    for path, text in render(_thresholds({})).items():
        assert f"# ---- {path}\n{text}" in result.output
