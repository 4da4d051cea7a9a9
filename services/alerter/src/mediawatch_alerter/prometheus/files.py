"""Every rule file of ``infra/prometheus/``, rendered from the thresholds, and writing them."""

from __future__ import annotations

import os
from pathlib import Path

from mediawatch_alerter.prometheus.alerts import alerts_file
from mediawatch_alerter.prometheus.hosts import health_hosts_file, node_exporter_hosts_file
from mediawatch_alerter.prometheus.model import RuleFile
from mediawatch_alerter.prometheus.recording import recording_file
from mediawatch_alerter.prometheus.thresholds import RuleThresholds
from mediawatch_alerter.prometheus.yaml_text import rule_file_text


def rule_files(t: RuleThresholds) -> tuple[RuleFile, ...]:
    """The rule files Prometheus loads (``rules/``) and the node_exporter variant of the host
    rules (``node-exporter/``), with the thresholds ``t``."""
    return (alerts_file(t), health_hosts_file(t), recording_file(), node_exporter_hosts_file(t))


def render(t: RuleThresholds) -> dict[str, str]:
    """Each rule file's YAML text by its path under the output directory."""
    return {f.path: rule_file_text(f) for f in rule_files(t)}


def write_rule_files(t: RuleThresholds, output: Path) -> list[Path]:
    """Write every rule file under ``output`` (each replaced whole, never half-written)."""
    written = []
    for relative, text in render(t).items():
        path = output / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.tmp")
        staged.write_text(text)
        os.replace(staged, path)
        written.append(path)
    return written
