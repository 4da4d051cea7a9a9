"""Faust's worker with the stop deadline armed on SIGTERM and SIGINT.

Faust stops its services one by one, each waiting for its broker requests; with the broker
unreachable that took more than two minutes (consumer threads, leaving the groups, the
producer's flush). Nothing the aggregator acknowledged depends on those waits: pipeline
offsets are committed only after the stage batches were acknowledged.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.worker import Worker

from mediawatch_common.shutdown import exit_by_deadline


class DeadlineWorker(Worker):
    """A Faust worker that exits by the stop deadline (``mediawatch_common.shutdown``)."""

    def __init__(self, app: faust.App, deadline_seconds: float, **kwargs: Any) -> None:
        """Runs ``app``; ``deadline_seconds`` is ``SHUTDOWN_TIMEOUT_SECONDS``."""
        super().__init__(app, **kwargs)
        self._deadline = deadline_seconds

    def _on_sigterm(self) -> None:
        exit_by_deadline(self._deadline)
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        exit_by_deadline(self._deadline)
        super()._on_sigint()
