"""Forget ingest event ids older than the retention, in small deletes on a background thread.

Every API process runs one; their deletes skip rows another holds locked, so they never
wait for each other. An id resent after its row is gone is appended again.
"""

from __future__ import annotations

import logging

from mediawatch_api.ingest.claims import ClaimStore, ClaimStoreError
from mediawatch_common.periodic import Periodic

log = logging.getLogger(__name__)


class EventIdPruner:
    """Deletes rows of ``claims`` older than ``retention_seconds``, ``batch`` rows per
    statement, every ``interval`` seconds."""

    def __init__(
        self,
        claims: ClaimStore,
        retention_seconds: float,
        interval: float = 60.0,
        batch: int = 1000,
    ) -> None:
        self._claims, self._retention = claims, retention_seconds
        self._batch = batch
        self._pruning = Periodic(self._prune_logged, interval, "ingest-id-prune")

    def prune(self) -> int:
        """Delete every row past the retention, one small statement at a time; the count."""
        total = 0
        for deleted in self._claims.prune(self._retention, self._batch):
            total += deleted
            if self._pruning.stopping:
                break
        return total

    def start(self) -> None:
        """Start the pruning thread (first pass after one interval)."""
        self._pruning.start()

    def stop(self) -> None:
        """Stop the thread, letting its current statement finish."""
        self._pruning.stop()

    def _prune_logged(self) -> None:
        try:
            deleted = self.prune()
            if deleted:
                log.info("ingest event ids pruned", extra={"rows": deleted})
        except ClaimStoreError as exc:
            log.warning("ingest event ids not pruned", extra={"error": str(exc)})
