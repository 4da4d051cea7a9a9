"""Atomic appends: a batch of messages, and the input offsets they answer, in one transaction.

Every instance of a role uses the same ``transactional.id``. Starting a producer with it
(:meth:`TransactionalProducer.start`) aborts what a previous holder left open and fences that
holder: from then on its transactions fail on the broker, so nothing it still tries to write
is ever read by a ``read_committed`` consumer (every consumer here reads committed only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer, TopicPartition

from mediawatch_common.kafka.standby import FencedError
from mediawatch_common.retry import Backoff, retry

log = logging.getLogger(__name__)

Message = tuple[str, str, bytes]
"""(topic, key, value)."""

_COMMIT_BACKOFF = Backoff(initial=0.5, maximum=5.0)


def transactional_config(config: Mapping[str, Any], transactional_id: str) -> dict[str, Any]:
    """``config`` (from :func:`producer_config`) made transactional under ``transactional_id``."""
    return {
        **config,
        "transactional.id": transactional_id,
        "transaction.timeout.ms": 60_000,
        "delivery.timeout.ms": 60_000,  # may not exceed the transaction's
    }


class TransactionalProducer:
    """Appends batches atomically; raises :class:`FencedError` once another instance took over."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._producer = Producer(dict(config))

    def start(self, timeout: float = 60.0) -> None:
        """Register the transactional id: aborts and fences any earlier holder of it."""
        try:
            self._producer.init_transactions(timeout)
        except KafkaException as exc:
            raise _fenced_or(exc) from None

    def append(
        self,
        messages: Sequence[Message],
        offsets: Sequence[TopicPartition] = (),
        group_metadata: object | None = None,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        """Write ``messages`` and commit ``offsets`` for the group of ``group_metadata``, all or
        nothing. Retries the commit while the brokers are unavailable.

        Raises:
            FencedError: another instance holds the transactional id, or the consumer group moved
                on (the transaction was aborted; nothing of it is visible).
        """
        try:
            self._producer.begin_transaction()
            for topic, key, value in messages:
                self._produce(topic, key, value)
            if offsets:
                self._producer.send_offsets_to_transaction(list(offsets), group_metadata)
            retry(
                self._commit,
                _COMMIT_BACKOFF,
                stopping=stopping,
                on_retry=lambda exc, delay: log.warning(
                    "commit of a transaction failed; retrying",
                    extra={"error": str(exc), "backoff_seconds": delay},
                ),
                retry_on=_Retriable,
            )
        except (KafkaException, _Retriable) as exc:
            raise self._abort(exc) from None

    def _commit(self) -> None:
        try:
            self._producer.commit_transaction(30)
        except KafkaException as exc:
            error = _error_of(exc)
            if error is not None and error.retriable():
                raise _Retriable(error) from None
            raise

    def _produce(self, topic: str, key: str, value: bytes) -> None:
        while True:
            try:
                self._producer.produce(topic, value=value, key=key)
                return
            except BufferError:
                self._producer.poll(0.1)

    def _abort(self, exc: Exception) -> FencedError:
        """Abort what can be aborted; every failure ends the holder's term."""
        error = _error_of(exc)
        if error is not None and error.txn_requires_abort():
            try:
                self._producer.abort_transaction(5)
            except KafkaException as again:
                log.warning("abort failed", extra={"error": str(again)})
        return FencedError(str(error or exc))


class _Retriable(KafkaException):
    pass


def _error_of(exc: Exception) -> KafkaError | None:
    arg = exc.args[0] if exc.args else None
    return arg if isinstance(arg, KafkaError) else None


def _fenced_or(exc: KafkaException) -> Exception:
    error = _error_of(exc)
    if error is not None and (error.fatal() or error.code() == KafkaError._FENCED):
        return FencedError(str(error))
    return exc
