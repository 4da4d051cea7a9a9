"""Forget ingest event ids older than the retention, in small deletes on a background thread.

Every API process runs one; their deletes skip rows another holds locked, so they never
wait for each other. An id resent after its row is gone is appended again.
"""

from __future__ import annotations

import logging
import threading

from mediawatch_api.ingest.claims import ClaimStore, ClaimStoreError

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
        self._interval, self._batch = interval, batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def prune(self) -> int:
        """Delete every row past the retention, one small statement at a time; the count."""
        total = 0
        for deleted in self._claims.prune(self._retention, self._batch):
            total += deleted
            if self._stop.is_set():
                break
        return total

    def start(self) -> None:
        """Start the pruning thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ingest-id-prune", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, letting its current statement finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                deleted = self.prune()
                if deleted:
                    log.info("ingest event ids pruned", extra={"rows": deleted})
            except ClaimStoreError as exc:
                log.warning("ingest event ids not pruned", extra={"error": str(exc)})
