"""Backtests: the alert rules over recorded history, with the event times as the clock."""

from __future__ import annotations

from mediawatch_alerter.backtest.engine import ReplayRun, replay
from mediawatch_alerter.backtest.render import duration, report_json, report_tables
from mediawatch_alerter.backtest.report import (
    FiredAlert,
    Report,
    RuleSummary,
    build_report,
    fired_alerts,
    summarize,
)
from mediawatch_alerter.backtest.run import run_backtest
from mediawatch_alerter.backtest.source import in_event_time_order, read_inputs, read_silences

__all__ = [
    "FiredAlert",
    "ReplayRun",
    "Report",
    "RuleSummary",
    "build_report",
    "duration",
    "fired_alerts",
    "in_event_time_order",
    "read_inputs",
    "read_silences",
    "replay",
    "report_json",
    "report_tables",
    "run_backtest",
    "summarize",
]
