"""A consumer loop: decode, hand typed events to a handler, commit only after it succeeded."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any, Generic, NamedTuple, TypeVar

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from mediawatch_common.kafka.connection import Connection, client_properties
from mediawatch_common.kafka.deadletter import DeadLetters
from mediawatch_common.kafka.producer import METADATA_REFRESH_MS
from mediawatch_common.metrics.lag import CONSUMER_LAG, LagTracker, PartitionLag, Positions
from mediawatch_common.retry import Backoff, retry
from mediawatch_common.shutdown import exit_by_deadline

log = logging.getLogger(__name__)

T = TypeVar("T")

SMALL_PREFETCH = {
    "queued.min.messages": 2000,
    "queued.max.messages.kbytes": 4096,
    "fetch.queue.backoff.ms": 10,
}
"""librdkafka's pre-fetch, kept small for consumers that read long backlogs, whose memory
otherwise grows with the backlog (``docs/design-notes/common.md``)."""

_COMMIT_BACKOFF = Backoff(initial=0.5, maximum=2.0)
"""Between the five attempts at a synchronous commit."""


class Record(NamedTuple, Generic[T]):
    """A decoded event and where it was read (a named tuple: cheap to build per message)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    timestamp_ms: int
    event: T


Handler = Callable[[Sequence[Record[T]]], None]
Decoder = Callable[[bytes], T]


def consumer_config(
    connection: Connection,
    group_id: str,
    start: str = "earliest",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """librdkafka settings for a group member on ``connection`` that commits by hand."""
    return {
        **client_properties(connection),
        "group.id": group_id,
        "enable.auto.commit": False,
        "auto.offset.reset": start,
        "isolation.level": "read_committed",
        "session.timeout.ms": 10_000,
        "topic.metadata.refresh.interval.ms": METADATA_REFRESH_MS,
        **(extra or {}),
    }


def each(handle: Callable[[Record[T]], None]) -> Handler[T]:
    """Adapt a per-event handler to the batch interface."""

    def handle_batch(batch: Sequence[Record[T]]) -> None:
        for record in batch:
            handle(record)

    return handle_batch


class ConsumerLoop(Generic[T]):
    """Consume ``topics`` until stopped.

    Each polled batch is decoded; messages that fail to decode are dead-lettered and skipped.
    The handler gets the decoded batch; when it returns, dead letters are flushed and the
    offsets committed. When it raises, the batch is read again after a growing pause, so a
    passing outage (database, webhook) delays events but never skips them.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        topics: Sequence[str],
        decode: Decoder[T],
        handler: Handler[T],
        deadletters: DeadLetters,
        *,
        batch_size: int = 500,
        poll_timeout: float = 0.5,
        max_backoff: float = 30.0,
        on_assign: Callable[[Consumer, list[TopicPartition]], None] | None = None,
        synchronous_commit: bool = True,
        read_whole: Mapping[str, Callable[[Message], T]] | None = None,
        lag_positions: Callable[[], Positions] | None = None,
        commit: bool = True,
    ) -> None:
        """``synchronous_commit=False`` sends each commit without waiting for it: for a
        consumer that keeps its positions elsewhere (the projector's are in PostgreSQL), whose
        Kafka offsets only show its lag. ``read_whole`` maps topics whose messages are read
        from the whole message (headers included) instead of decoded from their value: the
        dead-letter topic, whose messages do not decode by definition. ``lag_positions``
        gives the positions the lag metric counts from, for such a consumer (default: the
        client's own). ``commit=False`` leaves committing to the handler (the alerter commits
        its offsets in the transaction of its output)."""
        self._read_whole = dict(read_whole or {})
        self._consumer = Consumer(dict(config))
        self._synchronous_commit = synchronous_commit
        self._commits = commit
        self._topics = list(topics)
        self._decode = decode
        self._handler = handler
        self._deadletters = deadletters
        self._batch_size = batch_size
        self._poll_timeout = poll_timeout
        self._backoff = Backoff(initial=0.5, maximum=max_backoff)
        self._stopping = threading.Event()
        self.group = str(config["group.id"])
        self._lag = LagTracker(self._consumer, self.group, on_assign, positions=lag_positions)
        self.processed = 0
        self.deadlettered = 0

    def stop(self) -> None:
        """Ask the loop to finish its current batch and leave the group."""
        self._stopping.set()

    def group_metadata(self) -> object:
        """This member's place in its group, for offsets committed in a transaction (the
        broker refuses them once the group has moved on without this member)."""
        return self._consumer.consumer_group_metadata()

    def stop_on_signals(self, deadline_seconds: float) -> None:
        """Stop cleanly on SIGTERM and SIGINT (call from the main thread); a stop taking
        longer than ``deadline_seconds`` ends the process (``mediawatch_common.shutdown``)."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("stopping on signal", extra={"signal": signal.Signals(signum).name})
            exit_by_deadline(deadline_seconds)
            self.stop()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Consume until :meth:`stop` is called or ``until()`` turns true."""
        self._consumer.subscribe(self._topics, **self._lag.callbacks())
        untrack = CONSUMER_LAG.track(self._lag)
        try:
            while not self._stopping.is_set() and not (until and until()):
                messages = self._consumer.consume(self._batch_size, self._poll_timeout)
                self._lag.refresh()
                if messages:
                    self._process(messages)
        finally:
            untrack()
            self._consumer.close()

    def lag(self) -> list[PartitionLag]:
        """This member's lag per assigned partition, as of its last poll (any thread)."""
        return self._lag()

    def _process(self, messages: list[Message]) -> None:
        batch = self._decode_batch(messages)
        paused: list[TopicPartition] = []

        def handle() -> None:
            if batch:
                self._handler(batch)
            self._deadletters.flush()

        def pause(_exc: Exception, delay: float) -> None:
            nonlocal paused
            log.exception("handler failed; retrying", extra={"backoff_seconds": delay})
            paused = paused or self._pause()

        try:
            retry(
                handle,
                self._backoff,
                stopping=self._stopping.is_set,
                wait=self._idle,
                on_retry=pause,
            )
        except Exception:
            if not self._stopping.is_set():
                raise
            log.warning("handler failed while stopping; batch will be read again")
            return
        finally:
            if paused:
                self._consumer.resume(paused)
                self._lag.resumed(paused)
        if self._commits:
            self._commit(messages)
        self.processed += len(batch)

    def _pause(self) -> list[TopicPartition]:
        assignment: list[TopicPartition] = self._consumer.assignment()
        self._consumer.pause(assignment)
        self._lag.paused(assignment)
        return assignment

    def _idle(self, seconds: float) -> None:
        """Keep the group membership alive (poll on paused partitions) while waiting."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            self._consumer.poll(min(left, 1.0))
            self._lag.refresh()

    def _decode_batch(self, messages: list[Message]) -> list[Record[T]]:
        batch: list[Record[T]] = []
        for msg in messages:
            error = msg.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    if error.fatal():
                        raise KafkaException(error)
                    log.warning("consumer error", extra={"error": error.str()})
                continue
            try:
                whole = self._read_whole.get(str(msg.topic()))
                event = whole(msg) if whole is not None else self._decode(msg.value() or b"")
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                log.error(
                    "dead-lettering undecodable message",
                    extra={
                        "topic": msg.topic(),
                        "partition": msg.partition(),
                        "offset": msg.offset(),
                        "reason": reason,
                    },
                )
                self._deadletters.send(msg, reason)
                self.deadlettered += 1
                continue
            _, timestamp = msg.timestamp()
            batch.append(
                Record(
                    str(msg.topic()),
                    msg.partition() or 0,
                    (msg.offset() or 0),
                    msg.key(),
                    int(timestamp),
                    event,
                )
            )
        return batch

    def _commit(self, messages: list[Message]) -> None:
        positions: dict[tuple[str, int], int] = {}
        for msg in messages:
            if msg.error() is None:
                positions[(str(msg.topic()), msg.partition() or 0)] = (msg.offset() or 0) + 1
        if not positions:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in positions.items()]
        if not self._synchronous_commit:
            try:
                self._consumer.commit(offsets=offsets, asynchronous=True)
            except KafkaException as exc:  # the next batch's commit covers these offsets
                log.warning("commit failed", extra={"error": str(exc)})
            return
        try:
            retry(
                lambda: self._consumer.commit(offsets=offsets, asynchronous=False),
                _COMMIT_BACKOFF,
                on_retry=lambda exc, _delay: log.warning(
                    "commit failed", extra={"error": str(exc)}
                ),
                retry_on=KafkaException,
                max_attempts=5,
            )
        except KafkaException:
            log.error("giving up committing; these events may be delivered again after a restart")
