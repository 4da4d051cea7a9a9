"""A logging handler that ships records to the logs topic without ever waiting on Kafka.

The caller's thread only appends the record to a bounded in-memory queue (or counts it as
dropped when the queue is full); a daemon thread turns queued records into ``LogRecorded``
events and hands them to a :class:`Sink`. Neither a full queue nor an unreachable broker
blocks or slows the code that logs.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

QUIET_LOGGERS = ("mediawatch_common.logs", "confluent_kafka", "rdkafka")
"""Loggers never shipped: the shipping machinery's own, so that it cannot feed itself."""

REPORT_SECONDS = 60.0
IDLE_SECONDS = 0.05


class Sink(Protocol):
    """Where shipped events go (Kafka in services)."""

    def send(self, record: logging.LogRecord, message: str) -> bool:
        """Hand over one record; False when it was refused (counted as dropped)."""

    def poll(self) -> int:
        """Serve delivery reports; returns how many deliveries failed since the last call."""

    def flush(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds; returns how many records were not delivered."""


class LogShipper(logging.Handler):
    """Queue records for a background thread that ships them through a :class:`Sink`."""

    def __init__(
        self,
        sink: Sink,
        level: int = logging.INFO,
        capacity: int = 10_000,
        report_every: float = REPORT_SECONDS,
        flush_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(level)
        self._sink = sink
        self._capacity = capacity
        self._queue: collections.deque[tuple[logging.LogRecord, str]] = collections.deque()
        self._report_every = report_every
        self._flush_seconds = flush_seconds
        self._clock = clock
        self._stop = threading.Event()
        self._full = 0  # counted by the callers, under _full_lock (only when dropping)
        self._full_lock = threading.Lock()
        self._lost = 0  # counted by the shipping thread only
        self._reported = 0
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._thread.start()

    def handle(self, record: logging.LogRecord) -> bool:
        """Filter and queue without the handler lock: the deque is thread-safe."""
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        name = record.name
        if name.startswith(QUIET_LOGGERS) or threading.current_thread() is self._thread:
            return
        if len(self._queue) >= self._capacity or self._stop.is_set():
            with self._full_lock:
                self._full += 1
            return
        try:
            # Formatted now: the arguments may change once the caller goes on.
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        self._queue.append((record, message))

    def _run(self) -> None:
        next_report = self._clock() + self._report_every
        while not self._stop.is_set():
            if not self._drain():
                self._stop.wait(IDLE_SECONDS)
            self._lost += self._sink.poll()
            if self._clock() >= next_report:
                self._report()
                next_report = self._clock() + self._report_every
        self._drain()

    def _drain(self) -> int:
        sent = 0
        while self._queue:
            record, message = self._queue.popleft()
            try:
                accepted = self._sink.send(record, message)
            except Exception:
                accepted = False
            if not accepted:
                self._lost += 1
            sent += 1
        return sent

    @property
    def pending(self) -> int:
        """Records queued and not yet handed to the sink."""
        return len(self._queue)

    @property
    def dropped(self) -> int:
        """Records not shipped since start: queue full, refused or undelivered."""
        return self._full + self._lost

    def _report(self) -> None:
        dropped, new = self.dropped, self.dropped - self._reported
        if new:
            self._reported = dropped
            log.warning(
                "log records not shipped to the logs topic",
                extra={"dropped": new, "dropped_total": dropped, "queue_capacity": self._capacity},
            )

    def close(self, timeout: float | None = None) -> None:
        """Ship what is queued within ``timeout`` seconds (default: ``flush_seconds``)."""
        if not self._stop.is_set():
            wait = self._flush_seconds if timeout is None else timeout
            deadline = time.monotonic() + wait
            self._stop.set()
            self._thread.join(max(0.0, deadline - time.monotonic()))
            self._lost += len(self._queue) + self._sink.poll()
            self._lost += self._sink.flush(max(0.0, deadline - time.monotonic()))
            self._report()
        super().close()
