"""The YAML rules file: format, validation, and rules that behave like built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediawatch_alerter.evaluator import build_evaluator
from mediawatch_alerter.rules import RulesFileError, load_rules_file, parse_rules
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved
from mediawatch_common.settings import MonitoringSettings
from mediawatch_common.wall_clock import ManualClock

from .helpers import ME, T0, completed, sample

pytestmark = pytest.mark.unit

RULES = """
disable: [high_cpu]
rules:
  - name: slow_merging
    event: StageCompleted
    field: duration_seconds
    where: {stage: merging}
    labels: [session_id, stage]
    context: [producer.host]
    levels:
      warning: {above: 60, clear: 50}
      critical: {above: 120}
    title: "Slow merge on {host}"
    message: "Session {session_id} merged in {value:.0f}s (limit {threshold:.0f}s)"
  - name: low_disk_headroom
    event: ResourceSample
    field: disk_percent
    below: true
    labels: [host]
    levels:
      info: {above: 5, clear: 10}
    title: "Disk almost empty on {host}"
    message: "{value}%"
"""


def build(text: str):
    rules = parse_rules(text)
    return build_evaluator(MonitoringSettings(), AlerterSettings(), ME, ManualClock(T0), rules)


def test_yaml_rule_fires_with_its_template_and_levels() -> None:
    ev = build(RULES)

    assert ev.handle(completed(duration=59.0)) == []
    (alert,) = [
        e
        for e in ev.handle(completed(session="s2", duration=130.0))
        if isinstance(e, AlertRaised) and e.rule == "slow_merging"
    ]

    assert alert.level is AlertLevel.CRITICAL
    assert alert.title == "Slow merge on worker-1"
    assert alert.message == "Session s2 merged in 130s (limit 120s)"
    assert alert.labels == {"session_id": "s2", "stage": "merging", "host": "worker-1"}


def test_where_filters_other_stages() -> None:
    from mediawatch_common.events import Stage

    ev = build(RULES)
    events = ev.handle(completed(stage=Stage.UPLOAD, duration=200.0))

    assert all(e.rule != "slow_merging" for e in events if isinstance(e, AlertRaised))


def test_below_rule_and_disabled_builtin() -> None:
    ev = build(RULES)

    assert [
        e.rule for e in ev.handle(sample(cpu=99.0, disk=4.0)) if isinstance(e, AlertRaised)
    ] == ["low_disk_headroom"]
    assert ev.handle(sample(disk=8.0)) == []
    assert [type(e) for e in ev.handle(sample(disk=11.0))] == [AlertResolved]


def one(body: str) -> str:
    return "rules: [{name: x, title: t, message: m, " + body + "}]"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (one("event: Nope, field: a, levels: {warning: {above: 1}}"), "unknown event"),
        (one("event: ResourceSample, field: nope, levels: {warning: {above: 1}}"), "no field"),
        (
            one(
                "event: ResourceSample, field: cpu_percent, levels: {warning: {above: 1, clear: 5}}"
            ),
            "must not exceed",
        ),
        (one("event: ResourceSample, field: cpu_percent, levels: {}"), "levels"),
        ("unknown_key: 1", "unknown_key"),
        ("rules: [", "not valid YAML"),
    ],
)
def test_invalid_files_are_refused_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(RulesFileError, match=problem):
        parse_rules(text)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"missing\.yaml"):
        load_rules_file(tmp_path / "missing.yaml")


def test_template_cannot_reach_attributes() -> None:
    from mediawatch_alerter.rules import render

    assert "template error" in render("{value.__class__}", {"value": 1})
    assert render("{value:.1f} {missing}", {"value": 2}) == "2.0 ?"
