"""Faust's worker, stopping the aggregator in order on SIGTERM and SIGINT.

Faust alone stops its services one by one while the app's ingest task and closing timer keep
running until their futures are cancelled at the very end, and it waits for the brokers at
every step with Faust's own timeouts (90 s requests, a 20-minute producer flush): with the
brokers unreachable that took over two minutes. Here a stop first ends the intake
(:meth:`FaustAggregator.stop_intake`: the ingest's last batch committed, its group left, a
last closing pass), then runs Faust's stop (the agent's offsets committed after the table's
changelog is flushed, the group left), and gives both :func:`broker_wait` seconds in all. A
stop that runs out of that time has nothing more it can commit: it logs what it gave up and
exits 0 without waiting for Faust's threads, and the next worker reads the uncommitted rest
again (the panes' offset marks skip what was already counted).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any

from faust.worker import Worker
from mode.utils.futures import maybe_cancel

from mediawatch_aggregator.runtime.faust_app import FaustAggregator
from mediawatch_common.shutdown import exit_by_deadline, exit_now

log = logging.getLogger(__name__)

BROKER_SHARE = 0.4
"""Share of the stop deadline a stop may spend waiting for the brokers (10 s of 25 s): the
rest is left for closing the event loop, well before the forced exit."""


def broker_wait(deadline_seconds: float) -> float:
    """Seconds a stop may wait for the brokers, given the stop deadline."""
    return deadline_seconds * BROKER_SHARE


class StoppingWorker(Worker):
    """A Faust worker that stops the aggregator in order, within the stop deadline."""

    def __init__(self, aggregator: FaustAggregator, deadline_seconds: float, **kwargs: Any):
        """Runs ``aggregator.app``; ``deadline_seconds`` is ``SHUTDOWN_TIMEOUT_SECONDS``."""
        super().__init__(aggregator.app, **kwargs)
        self._aggregator = aggregator
        self._deadline = deadline_seconds

    def _on_sigterm(self) -> None:
        exit_by_deadline(self._deadline)
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        exit_by_deadline(self._deadline)
        super()._on_sigint()

    async def _stop_on_signal(self, signal: signal.Signals) -> None:
        log.info("stopping on signal", extra={"signal": signal.name})
        began, wait = time.monotonic(), broker_wait(self._deadline)
        step = "intake"
        try:
            await self._aggregator.stop_intake(wait)
            step = "faust"
            left = wait - (time.monotonic() - began)
            await asyncio.wait_for(asyncio.shield(self.stop()), max(left, 0.0))
        except TimeoutError:
            log.warning(
                "stopped waiting for the brokers; what was not committed is read again",
                extra={"step": step, "waited_seconds": round(time.monotonic() - began, 1)},
            )
            exit_now(0)
        log.info("stopped", extra={"seconds": round(time.monotonic() - began, 2)})
        maybe_cancel(self._starting_fut)
