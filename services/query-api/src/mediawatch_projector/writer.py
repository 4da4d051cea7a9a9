"""One batch write in flight on a background thread, so the next batch is decoded meanwhile.

While PostgreSQL works on a batch's COPY and merges, the consumer thread decodes the next
batch and builds its rows; it waits for the previous write only before submitting its own.
Writes stay strictly one after the other. A failed write is retried on the writer thread with
a growing, jittered pause (:mod:`mediawatch_common.retry`) until it succeeds, or until it is
abandoned (partitions reassigned, shutdown): an abandoned batch was not committed, so its
events are read again from the stored positions.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from mediawatch_common.retry import Backoff, retry

log = logging.getLogger(__name__)

T = TypeVar("T")


class WriteBehindError(RuntimeError):
    """The previous batch is still failing to be written (it is being retried)."""


class BackgroundWriter(Generic[T]):
    """Runs ``write(item)`` for one item at a time on a thread of its own."""

    def __init__(self, write: Callable[[T], None], max_backoff: float = 30.0) -> None:
        self._write = write
        self._backoff = Backoff(initial=0.5, maximum=max_backoff)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="projector-writer")
        self._pending: Future[None] | None = None
        self._giving_up = threading.Event()
        self._failing = threading.Event()

    def submit(self, item: T) -> None:
        """Start writing ``item``; call :meth:`settle` first."""
        if self._pending is not None:
            raise RuntimeError("a write is still in flight")
        self._pending = self._executor.submit(self._run, item)

    def _run(self, item: T) -> None:
        retry(
            functools.partial(self._write, item),
            self._backoff,
            stopping=self._giving_up.is_set,
            wait=self._giving_up.wait,
            on_retry=self._failed,
        )
        self._failing.clear()

    def _failed(self, error: Exception, delay: float) -> None:
        self._failing.set()
        log.error(
            "batch write failed; retrying",
            exc_info=error,
            extra={"backoff_seconds": round(delay, 3)},
        )

    def settle(self, wait_while_failing: bool = False) -> None:
        """Wait until the write in flight is done.

        Raises:
            WriteBehindError: It keeps failing (it goes on retrying; call again later), unless
                ``wait_while_failing``.
            Exception: It was abandoned; what it last raised.
        """
        pending = self._pending
        if pending is None:
            return
        while True:
            try:
                pending.result(timeout=0.5)
            except TimeoutError:
                if pending.done():  # the write itself raised a TimeoutError
                    self._pending = None
                    raise
                if self._failing.is_set() and not wait_while_failing:
                    raise WriteBehindError("the previous batch is not written yet") from None
                continue
            except Exception:
                self._pending = None
                raise
            self._pending = None
            return

    def abandon(self) -> bool:
        """Let a write in flight finish if it can, stop retrying it if it fails; True when
        everything submitted was written."""
        pending = self._pending
        if pending is None:
            return True
        self._giving_up.set()
        try:
            pending.result()
        except Exception:
            log.warning("a batch was not written; its events will be read again")
            return False
        finally:
            self._pending = None
            self._giving_up.clear()
            self._failing.clear()
        return True

    def close(self) -> bool:
        """:meth:`abandon`, then stop the thread; True when everything was written."""
        written = self.abandon()
        self._executor.shutdown()
        return written
