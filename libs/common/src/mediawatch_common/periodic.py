"""A call repeated every few seconds on a named background thread, until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls ``call`` every ``interval`` seconds on a daemon thread named ``name``.

    The first call comes after one interval, or at once with ``at_start``. A call that raises
    is logged and the next one comes at the next interval: the callers handle the failures
    they expect themselves, this keeps the thread alive through the others.
    """

    def __init__(
        self,
        call: Callable[[], object],
        interval: float,
        name: str,
        *,
        at_start: bool = False,
        join_seconds: float = 10.0,
    ) -> None:
        self._call, self._interval, self._name = call, interval, name
        self._at_start, self._join_seconds = at_start, join_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called since the last :meth:`start` (for long calls)."""
        return self._stop.is_set()

    def start(self) -> None:
        """Start the thread (again, after a :meth:`stop`)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Start no further call and wait, at most ``join_seconds``, for the one in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._join_seconds)

    def _run(self) -> None:
        delay = 0.0 if self._at_start else self._interval
        while not self._stop.wait(delay):
            delay = self._interval
            try:
                self._call()
            except Exception:
                log.exception("periodic call failed; calling again", extra={"periodic": self._name})
