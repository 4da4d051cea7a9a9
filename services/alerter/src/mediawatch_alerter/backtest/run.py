"""One backtest: the alerter's own evaluator (built-in rules plus a rules file) over events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mediawatch_alerter.backtest.engine import replay
from mediawatch_alerter.backtest.report import Report, build_report
from mediawatch_alerter.evaluator import build_evaluator
from mediawatch_alerter.rules import RulesFile
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.events import Event, Producer
from mediawatch_common.settings import MonitoringSettings
from mediawatch_common.wall_clock import ManualClock


def run_backtest(
    events: Sequence[Event],
    monitoring: MonitoringSettings,
    alerter: AlerterSettings,
    rules: RulesFile | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    tick_seconds: float | None = None,
    identity: Producer | None = None,
    missed_reports: int = 3,
) -> Report:
    """What the live alerter would have published for ``events`` (in event-time order).

    The clock starts at ``start`` (default: the first event), follows the events and, when
    ``end`` is given, keeps ticking up to it, so conditions still open resolve or fire as
    they would have. Nothing is sent anywhere: the evaluator's output is only collected.
    """
    origin = start or (events[0].event_time if events else None)
    if origin is None:
        return Report(start, end, 0, (), ())
    clock = ManualClock(origin)
    evaluator = build_evaluator(
        monitoring,
        alerter,
        identity or Producer.current("backtest"),
        clock,
        rules,
        missed_reports=missed_reports,
    )
    outputs = replay(
        evaluator,
        clock,
        events,
        tick_seconds=tick_seconds or alerter.tick_seconds,
        end=end,
    )
    return build_report(outputs, start=origin, end=end or clock.now(), events=len(events))
