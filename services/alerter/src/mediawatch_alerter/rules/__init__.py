"""Alert rules: each turns events, or the passing of time, into findings."""

from __future__ import annotations

from mediawatch_alerter.rules.base import LevelOf, Rule, Threshold, level_for, render
from mediawatch_alerter.rules.catalog import builtin_rules, slow_stage_rule
from mediawatch_alerter.rules.consumer_lag import ConsumerLagRule
from mediawatch_alerter.rules.dead_letters import DeadLetterRule
from mediawatch_alerter.rules.error_rate import ErrorRateRule
from mediawatch_alerter.rules.failure import ProcessingFailedRule
from mediawatch_alerter.rules.health import HealthRule
from mediawatch_alerter.rules.reporter_missing import ReporterMissingRule
from mediawatch_alerter.rules.rules_file import (
    RulesFile,
    RulesFileError,
    load_rules_file,
    parse_rules,
)
from mediawatch_alerter.rules.stuck import StuckSessionRule
from mediawatch_alerter.rules.threshold import ThresholdRule, ThresholdSpec

__all__ = [
    "ConsumerLagRule",
    "DeadLetterRule",
    "ErrorRateRule",
    "HealthRule",
    "LevelOf",
    "ProcessingFailedRule",
    "ReporterMissingRule",
    "Rule",
    "RulesFile",
    "RulesFileError",
    "StuckSessionRule",
    "Threshold",
    "ThresholdRule",
    "ThresholdSpec",
    "builtin_rules",
    "level_for",
    "load_rules_file",
    "parse_rules",
    "render",
    "slow_stage_rule",
]
