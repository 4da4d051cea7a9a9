"""Run a service only while its instance holds the role's lease; stand by otherwise.

Each time the lease is acquired a *term* begins: a fresh service is built (its state rebuilt
from the log, as after a restart) and runs until the lease is lost, the service is fenced
on the broker, or a stop is asked. Then it is dropped entirely, with everything it held in
memory, and the instance stands by again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from mediawatch_common.kafka.lease import Lease

log = logging.getLogger(__name__)


class FencedError(RuntimeError):
    """Another instance took the role over; what this one would still write is refused."""


class Term(Protocol):
    """A service that runs until ``until()`` turns true or :meth:`stop` is called."""

    def run(self, until: Callable[[], bool] | None = None) -> None: ...

    def stop(self) -> None: ...


class Standby:
    """Terms of a service, one at a time, each while the lease is held."""

    def __init__(self, lease: Lease, start_term: Callable[[], Term]) -> None:
        self._lease = lease
        self._start_term = start_term
        self._stopping = threading.Event()
        self._term: Term | None = None
        self.terms = 0

    def run(self) -> None:
        """Stand by, lead, stand by again... until :meth:`stop`; then leave the group."""
        try:
            while self._lease.wait(self._stopping):
                self._lead()
        finally:
            self._lease.close()

    def stop(self) -> None:
        """End the current term (the service stops cleanly) and stop standing by.

        Safe from a signal handler: it takes no lock (the handler may interrupt a term being
        built on the same thread)."""
        self._stopping.set()
        term = self._term
        if term is not None:
            term.stop()

    def _lead(self) -> None:
        self._term = term = self._start_term()
        if self._stopping.is_set():  # asked to stop while the term was built
            return
        self.terms += 1
        log.info("leading", extra={"group": self._lease.group_id, "term": self.terms})
        try:
            term.run(until=lambda: self._stopping.is_set() or not self._lease.held())
        except FencedError as exc:
            log.warning("fenced; standing by", extra={"reason": str(exc)})
        finally:
            self._term = None
        if not self._stopping.is_set():
            log.warning("lease lost; standing by", extra={"group": self._lease.group_id})
