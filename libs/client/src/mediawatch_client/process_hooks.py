"""What a monitor does at process boundaries: forks start afresh, SIGTERM closes first."""

from __future__ import annotations

import os
import signal
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Protocol


class ForkAware(Protocol):
    """Something that must reset itself in a forked child (its threads did not follow)."""

    def _after_fork(self) -> None: ...


_LIVE: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def reset_after_fork(owner: ForkAware) -> None:
    """Call ``owner._after_fork()`` in every child forked from now on, while it lives."""
    _LIVE.add(owner)


def _after_fork_in_child() -> None:
    for owner in list(_LIVE):
        owner._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def close_on_sigterm(close: Callable[[], None]) -> None:
    """Run ``close`` on SIGTERM when nobody else handles it, then die of it as before."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def on_sigterm(signum: int, _frame: FrameType | None) -> None:
        close()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_sigterm)
