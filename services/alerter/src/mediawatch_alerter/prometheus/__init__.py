"""Prometheus rule files rendered from the settings the built-in alerter reads, so that both
judge by the same thresholds."""

from __future__ import annotations

from mediawatch_alerter.prometheus.files import render, rule_files, write_rule_files
from mediawatch_alerter.prometheus.model import PromRule, RuleFile, RuleGroup
from mediawatch_alerter.prometheus.thresholds import SETTING_OF, RuleThresholds

__all__ = [
    "SETTING_OF",
    "PromRule",
    "RuleFile",
    "RuleGroup",
    "RuleThresholds",
    "render",
    "rule_files",
    "write_rule_files",
]
