"""Faust's worker with the stop deadline armed on SIGTERM and SIGINT.

Faust stops its services one by one, each waiting for its broker requests; with the broker
unreachable that took more than two minutes (consumer threads, leaving the groups, the
producer's flush). Nothing the aggregator acknowledged depends on those waits: pipeline
offsets are committed only after the stage batches were acknowledged.
"""

from __future__ import annotations

from faust.worker import Worker

from mediawatch_common.shutdown import exit_by_deadline


class DeadlineWorker(Worker):
    """A Faust worker that exits by the stop deadline (``mediawatch_common.shutdown``)."""

    def _on_sigterm(self) -> None:
        exit_by_deadline()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        exit_by_deadline()
        super()._on_sigint()
