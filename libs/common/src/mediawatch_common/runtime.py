"""Process-wide settings of the Python runtime for the long-running consumers."""

from __future__ import annotations

import gc


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
