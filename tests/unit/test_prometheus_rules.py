"""The Prometheus rules of infra/prometheus: labelled, described and each covered by a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

CONFIG = Path(__file__).resolve().parents[2] / "infra" / "prometheus"
# The rules Prometheus loads, and the node_exporter variant of the host rules.
RULE_FILES = sorted([*(CONFIG / "rules").glob("*.yml"), *(CONFIG / "node-exporter").glob("*.yml")])


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def _tests() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted((CONFIG / "tests").glob("*.test.yml"))]


def test_every_alert_has_a_level_and_a_text() -> None:
    alerts = [rule for rule in _rules() if "alert" in rule]
    assert alerts
    for rule in alerts:
        assert rule["labels"]["severity"] in {"warning", "error", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert rule["alert"].startswith("Mediawatch"), rule["alert"]


def test_every_alert_fires_in_a_rule_test() -> None:
    fired = {
        case["alertname"]
        for test_file in _tests()
        for test in test_file["tests"]
        for case in test.get("alert_rule_test", [])
        if case["exp_alerts"]
    }
    assert {rule["alert"] for rule in _rules() if "alert" in rule} <= fired


def test_every_recording_rule_is_checked_in_a_rule_test() -> None:
    checked = " ".join(
        case["expr"]
        for test_file in _tests()
        for test in test_file["tests"]
        for case in test.get("promql_expr_test", [])
        if case["exp_samples"]
    )
    for rule in _rules():
        if "record" in rule:
            assert rule["record"] in checked, rule["record"]


def test_every_test_file_loads_every_rule_file_it_needs() -> None:
    for path in sorted((CONFIG / "tests").glob("*.test.yml")):
        for rule_file in yaml.safe_load(path.read_text())["rule_files"]:
            assert (path.parent / rule_file).is_file(), f"{path.name}: {rule_file}"


def test_both_host_rule_files_raise_the_same_alerts() -> None:
    def alerts(path: Path) -> set[tuple[str, str]]:
        groups = yaml.safe_load(path.read_text())["groups"]
        return {
            (rule["alert"], rule["labels"]["severity"])
            for group in groups
            for rule in group["rules"]
            if "alert" in rule
        }

    ours = alerts(CONFIG / "rules" / "mediawatch-hosts.yml")
    assert ours == alerts(CONFIG / "node-exporter" / "mediawatch-hosts.yml")
    assert ("MediawatchHostDiskHigh", "critical") in ours
