"""Process-wide settings of the Python runtime for the long-running consumers."""

from __future__ import annotations

import gc
import sys


def quiet_gc() -> None:
    """Make CPython's cyclic garbage collector run rarely and look at fewer objects.

    A consumer's batches allocate many objects that almost never form cycles; freezing what
    start-up created and a first threshold of 50,000 keep the collector from walking them
    over and over. Cycles are still collected. Call once, after start-up
    (``docs/design-notes/common.md``).
    """
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


WRITER_SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits for it: CPython's default is 5 ms."""


def favour_waiting_threads(interval: float = WRITER_SWITCH_INTERVAL) -> None:
    """Let a thread that comes back from I/O get the GIL sooner.

    The projector's writer thread gives up the GIL at every send to PostgreSQL and then waits
    up to the switch interval for the decoding main thread to give it back; a shorter interval
    keeps PostgreSQL busy (``docs/design-notes/common.md``).
    """
    sys.setswitchinterval(interval)
