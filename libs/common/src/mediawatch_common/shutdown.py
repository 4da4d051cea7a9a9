"""A deadline on stopping: a process asked to stop exits within the orchestrator's grace period.

A stop waits for what is in flight: the current batch, its acknowledgements, the commit,
leaving the consumer group. While the broker or the database is unreachable, some of those
waits are bounded only by client timeouts that add up past the 30 s an orchestrator
(Kubernetes' ``terminationGracePeriodSeconds``) allows before it kills the process. Every
service arms :func:`exit_by_deadline` with ``SHUTDOWN_TIMEOUT_SECONDS`` when it is asked to
stop; past the deadline the process logs what it was still doing and exits with status 1, as
the orchestrator's SIGKILL would have ended it a little later. Nothing acknowledged is lost
that way: offsets are committed only after their work is done, so what was in flight is read
again by the next instance.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

log = logging.getLogger(__name__)

_armed = threading.Lock()


def exit_by_deadline(seconds: float) -> None:
    """Exit the process (status 1) if it is still running ``seconds`` from now.

    Harmless to call more than once (a second SIGTERM, SIGINT after SIGTERM): the first
    call's deadline holds.
    """
    if not _armed.acquire(blocking=False):
        return
    timer = threading.Timer(seconds, _exit, args=(seconds,))
    timer.name = "stop-deadline"
    timer.daemon = True
    timer.start()


def exit_now(status: int) -> None:
    """End the process at once with ``status``, after flushing the log files and the console.

    For a stop that has done what it could and would otherwise wait on threads it cannot end
    (a client library's thread waiting for an unreachable broker).
    """
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):  # files and the console, never Kafka
            with contextlib.suppress(Exception):  # exiting anyway, whatever a handler does
                handler.flush()
    os._exit(status)


def _exit(seconds: float) -> None:
    busy = sorted(t.name for t in threading.enumerate() if t is not threading.current_thread())
    log.error(
        "still stopping after the deadline; exiting now, unfinished work is read again",
        extra={"deadline_seconds": seconds, "threads": busy},
    )
    exit_now(1)
