"""An idempotent producer that tells its caller when a delivery failed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from mediawatch_common.kafka.connection import Connection, client_properties

log = logging.getLogger(__name__)

Headers = Sequence[tuple[str, bytes]]

METADATA_REFRESH_MS = 30_000
"""How often clients look for partitions added to their topics (librdkafka's default: 5 min)."""


class DeliveryError(RuntimeError):
    """One or more messages were not acknowledged by the brokers."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__(f"{len(failures)} message(s) not delivered: " + "; ".join(failures[:5]))
        self.failures = list(failures)


@dataclass(frozen=True, slots=True)
class Delivered:
    """Where an acknowledged message was written."""

    topic: str
    partition: int
    offset: int


def producer_config(
    connection: Connection, client_id: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """librdkafka settings for an idempotent, acks=all producer on ``connection``."""
    return {
        **client_properties(connection),
        "client.id": client_id,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "compression.type": "lz4",
        "delivery.timeout.ms": 120_000,
        "topic.metadata.refresh.interval.ms": METADATA_REFRESH_MS,
        **(extra or {}),
    }


class EventProducer:
    """Produce raw bytes; failures are collected and raised by :meth:`flush`.

    ``produce`` is asynchronous (batched by librdkafka); ``flush`` waits for every
    outstanding message and raises :class:`DeliveryError` if any was not acknowledged,
    so a caller that flushes before committing its own progress never loses an event.
    """

    def __init__(
        self, config: Mapping[str, Any], on_acknowledged: Callable[[Message], None] | None = None
    ) -> None:
        """Create the producer.

        Args:
            config: librdkafka settings, usually from :func:`producer_config`.
            on_acknowledged: Called (from ``poll``/``flush``) for every message the brokers
                acknowledged; for callers that track exactly what is durable.
        """
        self._producer = Producer(dict(config))
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._on_acknowledged = on_acknowledged

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            with self._lock:
                self._failures.append(f"{msg.topic()}: {err.str()}")
        elif self._on_acknowledged is not None:
            self._on_acknowledged(msg)

    def produce(
        self,
        topic: str,
        value: bytes,
        key: str | bytes | None = None,
        headers: Headers | None = None,
        timestamp_ms: int = 0,
    ) -> None:
        """Queue one message; waits for queue space instead of failing when it is full.

        ``timestamp_ms`` sets the log timestamp (0: now); passing the event's time keeps
        time-based seeks (replay ``--from``) exact for events written after the fact.
        """
        while True:
            try:
                self._producer.produce(
                    topic,
                    value=value,
                    key=key,
                    headers=list(headers or ()),
                    timestamp=timestamp_ms,
                    on_delivery=self._on_delivery,
                )
                break
            except BufferError:
                self._producer.poll(0.1)
        self._producer.poll(0)

    def send(
        self,
        topic: str,
        value: bytes,
        key: str | bytes | None = None,
        headers: Headers | None = None,
        timeout: float = 30.0,
    ) -> Delivered:
        """Produce one message and wait for its acknowledgement."""
        result: list[Delivered | str] = []

        def done(err: KafkaError | None, msg: Message) -> None:
            if err is not None:
                result.append(f"{msg.topic()}: {err.str()}")
            else:
                result.append(Delivered(str(msg.topic()), msg.partition() or 0, msg.offset() or 0))

        self._producer.produce(
            topic, value=value, key=key, headers=list(headers or ()), on_delivery=done
        )
        self._producer.flush(timeout)
        if not result:
            raise DeliveryError([f"{topic}: no acknowledgement within {timeout}s"])
        outcome = result[0]
        if isinstance(outcome, str):
            raise DeliveryError([outcome])
        return outcome

    def deliver(
        self, messages: Sequence[tuple[str, bytes, str]], timeout: float
    ) -> list[bool | None]:
        """Produce ``(topic, value, key)`` messages in order and wait for their own outcomes.

        Unlike :meth:`flush`, neither other callers' failures nor their queued messages are
        mixed in, so concurrent callers each learn exactly what became of theirs.

        Returns:
            Per message: True once acknowledged, False when refused or timed out by the
            client (``delivery.timeout.ms``; it may still have been written), None when
            there was no answer within ``timeout`` seconds.
        """
        outcomes: list[bool | None] = [None] * len(messages)

        def recorder(index: int) -> Callable[[KafkaError | None, Message], None]:
            def done(err: KafkaError | None, msg: Message) -> None:
                outcomes[index] = err is None

            return done

        for index, (topic, value, key) in enumerate(messages):
            while True:
                try:
                    self._producer.produce(topic, value=value, key=key, on_delivery=recorder(index))
                    break
                except BufferError:
                    self._producer.poll(0.1)
        deadline = time.monotonic() + timeout
        while None in outcomes and (left := deadline - time.monotonic()) > 0:
            # flush sends at once (no linger) and returns when nothing is queued; in short
            # slices, since other callers' messages may keep the queue from emptying.
            self._producer.flush(min(left, 0.01))
        return outcomes

    def flush(self, timeout: float = 60.0) -> None:
        """Wait for every queued message; raise :class:`DeliveryError` on any failure."""
        remaining = self._producer.flush(timeout)
        with self._lock:
            failures, self._failures = self._failures, []
        if remaining:
            failures.append(f"{remaining} message(s) still queued after {timeout}s")
        if failures:
            raise DeliveryError(failures)

    def close(self, timeout: float = 60.0) -> None:
        """Flush before going away."""
        self.flush(timeout)
