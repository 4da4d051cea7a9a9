"""Process-wide settings of the Python runtime for the long-running consumers."""

from __future__ import annotations

import gc
import sys


def quiet_gc() -> None:
    """Make CPython's cyclic garbage collector run rarely and look at fewer objects.

    A consumer's batches allocate hundreds of thousands of dicts, tuples and lists, which
    reference counting frees; almost none form cycles, yet the collector ran every 700
    allocations and its older generations walked every live object, the imported modules'
    too. Freezing what start-up created takes those out of its sight, and a first threshold
    of 50,000 makes collections rare. Cycles are still collected. Call once, after start-up
    (without a full collection first: it cost ~0.2 s of the projector's start-up, for at
    most the start-up's own garbage).
    """
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


WRITER_SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits for it: CPython's default is 5 ms."""


def favour_waiting_threads(interval: float = WRITER_SWITCH_INTERVAL) -> None:
    """Let a thread that comes back from I/O get the GIL sooner.

    The projector decodes batches on its main thread (pure Python, always runnable) while a
    writer thread streams the previous batch to PostgreSQL, giving up the GIL at every send
    and result, dozens of times per batch. Each time, it waits for the main thread to give the
    GIL back, up to CPython's switch interval (5 ms), so PostgreSQL sat idle and the writer fell
    behind: over 200,000 events the main thread waited on the writer a fifth of the time.
    With 0.5 ms the projector went from ~25,600 to ~30,000 events/s after start-up; 0.1 ms was
    slower again (the switches themselves cost).
    """
    sys.setswitchinterval(interval)
