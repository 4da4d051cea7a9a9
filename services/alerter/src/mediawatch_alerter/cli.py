"""``mediawatch run alerter``."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

import click

from mediawatch_alerter.metrics import AlerterMetrics
from mediawatch_alerter.rules import RulesFileError
from mediawatch_alerter.settings import AlerterSettings, load
from mediawatch_alerter.wiring import build_alerter
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka.lease import open_lease
from mediawatch_common.kafka.standby import Standby
from mediawatch_common.settings import Settings, SettingsError
from mediawatch_common.shutdown import exit_by_deadline

log = logging.getLogger(__name__)


def _on_signals(stop: Callable[[], None], deadline_seconds: float) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal", extra={"signal": signal.Signals(signum).name})
        exit_by_deadline(deadline_seconds)
        stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@click.command("alerter")
@pass_settings
def alerter(settings: Settings) -> None:
    """Evaluate alert rules on pipeline, window, resource and health events."""
    try:
        config = load(AlerterSettings)
        metrics = AlerterMetrics()  # one for every term: a metric registers once
        service = build_alerter(settings, config, metrics=metrics)  # checks the rules file
    except (SettingsError, RulesFileError) as exc:
        raise click.UsageError(str(exc)) from None
    terms = iter([service])
    standby = Standby(
        open_lease(settings.kafka, config.group_id),
        lambda: next(terms, None) or build_alerter(settings, config, metrics=metrics),
    )
    _on_signals(standby.stop, settings.shutdown.timeout_seconds)
    log.info(
        "alerter starting", extra={"rules": [n for r in service.evaluator.rules for n in r.emits]}
    )
    standby.run()
