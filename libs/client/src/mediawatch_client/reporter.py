"""The part of a monitor that owns the sender: emitting, flushing, closing, forking."""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
from dataclasses import replace
from typing import Any

from mediawatch_client.config import ClientConfig
from mediawatch_client.contract import EventSchema
from mediawatch_client.event_builders import producer
from mediawatch_client.outgoing import Flushed
from mediawatch_client.process_hooks import close_on_sigterm, reset_after_fork
from mediawatch_client.sender import Sender
from mediawatch_client.spool import Spool

# librdkafka's own messages (a broker refusing connections, every retry) go here; the client
# says once that Kafka is unreachable, so they are quiet unless someone lowers this level.
_LIBRDKAFKA = logging.getLogger("mediawatch_client.librdkafka")
if _LIBRDKAFKA.level == logging.NOTSET:
    _LIBRDKAFKA.setLevel(logging.CRITICAL)


class Reporter:
    """Hands built events to a background sender that produces or spools them."""

    def __init__(self, config: ClientConfig | None = None, **overrides: Any) -> None:
        """Configure the monitor: from ``config``, else the environment; ``overrides`` win.

        Args:
            config: Explicit settings; :meth:`ClientConfig.from_env` when omitted.
            overrides: Fields of :class:`ClientConfig` to replace, e.g.
                ``bootstrap_servers="kafka:9092"``.
        """
        base = config if config is not None else ClientConfig.from_env()
        self.config = replace(base, **overrides) if overrides else base
        self._lock = threading.Lock()
        self._sender: Sender | None = None
        self._closed = Flushed(acknowledged=True, spooled=False)
        self._pid = os.getpid()
        self.host = socket.gethostname()
        self._source_of = producer(self.config.producer_name, self.host, self._pid)
        reset_after_fork(self)
        # Started now rather than at the first event, so that what an earlier run left in the
        # spool is sent as soon as the process starts.
        self._start_sender()

    def flush(self, timeout: float = 10.0) -> Flushed:
        """Wait until Kafka acknowledged every event emitted so far, at most ``timeout`` s.

        Returns as soon as Kafka took them all (``acknowledged``), or when Kafka is
        unreachable and what it did not take is in the spool (``spooled``; it is sent when
        Kafka returns). A process that records its own progress after reporting (a consumer
        committing its offset) should do so only when ``acknowledged`` is true. The result
        is false when the timeout ran out with events still in memory. After :meth:`close`
        it tells how the close ended: ``spooled`` when events were left in the spool.
        """
        sender = self._sender
        if sender is None:
            return self._closed
        return sender.flush().wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Send or spool what is queued (within ``timeout``, default ``close_timeout``)."""
        with self._lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.close(self.config.close_timeout if timeout is None else timeout)
            self._closed = sender.outcome()

    @property
    def counters(self) -> dict[str, int]:
        """Events sent, spooled and dropped (by reason) by the running sender."""
        sender = self._sender
        if sender is None:
            return {}
        c = sender.counters
        return {"sent": c.sent, "spooled": c.spooled, **{f"dropped ({k})": v for k, v in
                c.dropped().items()}}  # fmt: skip

    # -- plumbing --------------------------------------------------------------------------

    def _source(self) -> dict[str, Any]:
        return self._source_of

    def _after_fork(self) -> None:
        """In a forked child: the parent's sender thread is gone; start afresh on demand."""
        self._pid = os.getpid()
        self._source_of = producer(self.config.producer_name, self.host, self._pid)
        self._lock = threading.Lock()
        self._sender = None

    def _emit(self, schema: EventSchema, topic: str, key: str, record: dict[str, Any]) -> None:
        # The caller's whole share of an event: the record is encoded in the sender thread.
        sender = self._sender
        if sender is None:  # closed, or a forked child
            sender = self._start_sender()
        sender.submit((schema, topic, key, record))

    def _start_sender(self) -> Sender:
        with self._lock:
            if self._sender is not None:
                return self._sender
            config = self.config
            self._sender = Sender(
                {
                    "bootstrap.servers": config.bootstrap_servers,
                    "client.id": f"mediawatch-client-{config.producer_name}",
                    "enable.idempotence": True,
                    "acks": "all",
                    "linger.ms": 5,
                    "logger": _LIBRDKAFKA,
                    **config.kafka,
                },
                lambda: Spool.claim(config.spool_dir, config.producer_name, config.spool_max_bytes),
                queue_size=config.queue_size,
                delivery_timeout=config.delivery_timeout,
                retry_interval=config.retry_interval,
            )
            atexit.register(self.close)
            close_on_sigterm(self.close)
            return self._sender
