"""``mediawatch run notifier``."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

import click

from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka.lease import open_lease
from mediawatch_common.kafka.standby import Standby
from mediawatch_common.settings import Settings, SettingsError
from mediawatch_common.shutdown import exit_by_deadline
from mediawatch_notifier.metrics import NotifierMetrics
from mediawatch_notifier.routing import RoutingError, describe, load_routing
from mediawatch_notifier.settings import NotifierSettings, load
from mediawatch_notifier.wiring import build_notifier

log = logging.getLogger(__name__)


def _on_signals(stop: Callable[[], None], deadline_seconds: float) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal", extra={"signal": signal.Signals(signum).name})
        exit_by_deadline(deadline_seconds)
        stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@click.command("notifier")
@pass_settings
def notifier(settings: Settings) -> None:
    """Deliver alert notifications to the configured chat sinks."""
    try:
        config = load(NotifierSettings)
        routing = load_routing(config)
    except (SettingsError, RoutingError) as exc:
        raise click.UsageError(str(exc)) from None
    metrics = NotifierMetrics()  # one for every term: a metric registers once
    standby = Standby(
        open_lease(settings.kafka, config.group_id),
        lambda: build_notifier(settings, config, routing, metrics=metrics),
    )
    _on_signals(standby.stop, settings.shutdown.timeout_seconds)
    log.info("notifier starting", extra={"routes": describe(routing)})
    standby.run()
