"""The sender thread: encodes queued events, produces them, spools what Kafka cannot take.

``submit`` never blocks: it queues an event or counts it dropped. A batch Kafka has not
acknowledged in time goes to the :class:`Spool`, and every later event behind it, so a
session's events keep their order; once the cluster answers again the spool is sent first.
Kafka may have written some of that batch without answering: those messages are looked for in
their partitions before the spool is sent, and what is found there is not sent again
(:mod:`mediawatch_client.unconfirmed`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer

from mediawatch_client.event_builders import stamped
from mediawatch_client.outgoing import Counters, Flushed, FlushMarker, Outgoing
from mediawatch_client.readback import find_written
from mediawatch_client.spool import Chunk, Message, Spool
from mediawatch_client.unconfirmed import FILE_NAME, Unconfirmed

log = logging.getLogger("mediawatch_client")

BATCH = 1000
HANDOFF_PAUSE = 0.005
"""Seconds the thread rests after a small batch, while the next one gathers."""
YIELD_EVERY = 4
"""Events encoded between two offers of the GIL to the callers, in a small batch."""
SMALL_BATCH = 64
"""A batch of at most this many events comes from callers reporting at their own pace."""
REPORT_EVERY = 60.0
READBACK_TIMEOUT = 30.0
"""Seconds the thread may spend reading partitions back before it sends the spool."""
# Failures that retrying cannot fix: the message itself is refused.
_PERMANENT = frozenset(
    {KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.INVALID_MSG_SIZE, KafkaError.INVALID_RECORD}
)


_STOP = object()


class Sender:
    """Owns the producer and the spool; only its own thread touches them."""

    def __init__(
        self,
        producer_config: dict[str, Any],
        open_spool: Callable[[], Spool | None],
        *,
        queue_size: int,
        delivery_timeout: float,
        retry_interval: float,
        make_producer: Callable[[dict[str, Any]], Producer] = Producer,
    ) -> None:
        self._config = {**producer_config, "delivery.timeout.ms": int(delivery_timeout * 1000)}
        self._open_spool = open_spool
        self._queue: queue.SimpleQueue[Outgoing | FlushMarker | object] = queue.SimpleQueue()
        self._queue_size = queue_size
        self._delivery_timeout = delivery_timeout
        self._retry_interval = retry_interval
        self._make_producer = make_producer
        self.counters = Counters()
        self._spool: Spool | None = None
        self._spooling = False
        self._next_probe = 0.0
        self._next_report = time.monotonic() + REPORT_EVERY
        self._closing_by = float("inf")
        self._partial: tuple[Chunk, list[Message]] | None = None
        self._unconfirmed = Unconfirmed(None)
        self.left_in_spool = 0
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mediawatch-sender", daemon=True)
        self._producer: Producer | None = None
        self._thread.start()

    def submit(self, item: Outgoing) -> bool:
        """Queue ``item`` without blocking; False (and counted) when the queue is full."""
        if self._queue.qsize() >= self._queue_size:
            self.counters.dropped_queue_full += 1
            return False
        self._queue.put(item)
        return True

    def flush(self) -> FlushMarker:
        """A marker behind every event submitted so far; wait on it for the outcome."""
        marker = FlushMarker()
        self._queue.put(marker)
        return marker

    @property
    def spooling(self) -> bool:
        """True while events wait in the spool for Kafka to come back."""
        return self._spooling

    def close(self, timeout: float) -> None:
        """Send or spool what is queued, within ``timeout`` seconds, then stop the thread."""
        self._closing_by = time.monotonic() + timeout
        self._queue.put(_STOP)
        self._finished.wait(timeout + 1.0)

    def outcome(self) -> Flushed:
        """After :meth:`close`: acknowledged when nothing was left behind, spooled when events
        wait in the spool for the next start, neither when the thread did not finish."""
        if not self._finished.is_set():
            return Flushed(acknowledged=False, spooled=False)
        left = self.left_in_spool > 0
        return Flushed(acknowledged=not left, spooled=left)

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._spool = self._open_spool()
        except Exception:
            log.exception("mediawatch spool unavailable: events are dropped while Kafka is down")
        if self._spool is not None:
            self._unconfirmed = Unconfirmed(self._spool.directory / FILE_NAME)
        self._spooling = self._spool is not None and not self._spool.empty
        self._producer = self._make_producer(self._config)
        stop = False
        while not stop:
            batch, marker, stop = self._take()
            try:
                self._handle(self._encode_all(batch))
                if marker is not None:
                    self._resolve(marker)
            except Exception:
                log.exception("mediawatch sender failed on a batch of %d events", len(batch))
            self._report()
            if 0 < len(batch) <= SMALL_BATCH and not stop and marker is None:
                # Callers reporting at their own pace: let the next events gather, so that
                # they queue without waking this thread for each one. (Callers reporting flat
                # out fill large batches, and resting would only slow the sending.)
                time.sleep(HANDOFF_PAUSE)
        try:
            self._finish()
        finally:
            # The client is destroyed in this thread once close() has stopped waiting:
            # destroying it joins librdkafka's threads, which can hang (in a forked child, on
            # a resolver lock the parent held at the fork), and must not hold up the caller.
            producer, self._producer = self._producer, None
            self._finished.set()
            del producer

    def _take(self) -> tuple[list[Outgoing], FlushMarker | None, bool]:
        """The next batch: up to ``BATCH`` events, ending early at a flush marker or stop."""
        batch: list[Outgoing] = []
        try:
            item = self._queue.get(timeout=min(self._retry_interval, 0.2))
        except queue.Empty:
            return batch, None, False
        while True:
            if item is _STOP:
                return batch, None, True
            if isinstance(item, FlushMarker):
                return batch, item, False
            assert isinstance(item, tuple)
            batch.append(item)
            if len(batch) >= BATCH:
                return batch, None, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, None, False

    def _resolve(self, marker: FlushMarker) -> None:
        """Everything ahead of ``marker`` is handled; while spooling, try the spool once first."""
        if self._spooling:
            self._drain()
        marker.resolve(spooling=self._spooling)

    @staticmethod
    def _encode_all(batch: list[Outgoing]) -> list[Message]:
        """Stamp and encode each event. In a small batch (callers reporting at their own
        pace) the GIL is offered every few events, so a caller waits for one of those
        rather than up to the interpreter's 5 ms switch interval; a large batch (callers
        reporting flat out) is encoded in one go, as every yield would cost it that switch
        interval."""
        messages = []
        polite = len(batch) <= SMALL_BATCH
        for n, (schema, topic, key, record) in enumerate(batch, 1):
            messages.append(Message(topic, key.encode(), schema.encode(stamped(record))))
            if polite and not n % YIELD_EVERY:
                time.sleep(0)
        return messages

    def _handle(self, messages: list[Message]) -> None:
        if self._spooling:
            self._to_spool(messages)
            if time.monotonic() >= self._next_probe:
                self._drain()
            return
        if messages:
            self._to_spool(self._send(messages))

    def _send(self, messages: Sequence[Message]) -> list[Message]:
        """Produce and wait; returns the messages Kafka did not take, in order."""
        assert self._producer is not None
        status: list[KafkaError | bool | None] = [None] * len(messages)
        partitions = [-1] * len(messages)
        since_ms = time.time_ns() // 1_000_000

        def delivered(index: int) -> Callable[[KafkaError | None, Any], None]:
            def callback(err: KafkaError | None, msg: Any) -> None:
                status[index] = err if err is not None else True
                partition = msg.partition() if msg is not None else None
                partitions[index] = partition if isinstance(partition, int) else -1

            return callback

        for index, message in enumerate(messages):
            try:
                self._producer.produce(
                    message.topic, message.value, message.key, on_delivery=delivered(index)
                )
            except BufferError:
                self._producer.poll(0.1)
                self._producer.produce(
                    message.topic, message.value, message.key, on_delivery=delivered(index)
                )
            except KafkaException as exc:
                status[index] = exc.args[0] if exc.args else None
        self._await_delivery()
        failed: list[Message] = []
        for message, outcome, partition in zip(messages, status, partitions, strict=True):
            if outcome is True:
                self.counters.sent += 1
            elif isinstance(outcome, KafkaError) and outcome.code() in _PERMANENT:
                self.counters.dropped_refused += 1
                log.error("Kafka refused a mediawatch event: %s", outcome.str())
            else:
                failed.append(message)
                if partition >= 0:  # it may have reached the broker
                    self._unconfirmed.suspect(message.topic, partition, since_ms, message.value)
        if failed and self._unconfirmed.suspects:
            self._unconfirmed.save()
        return failed

    def _await_delivery(self) -> None:
        """Wait for the producer's outcomes, in short slices so that a ``close`` arriving
        meanwhile shortens the wait; what is still unanswered then is purged (and spooled)."""
        assert self._producer is not None
        delivery_by = time.monotonic() + self._delivery_timeout + 1.0
        while self._producer.flush(0.1) and time.monotonic() < min(delivery_by, self._closing_by):
            pass
        if len(self._producer):
            self._producer.purge(in_queue=True, in_flight=True, blocking=True)
            self._producer.flush(1.0)

    def _to_spool(self, messages: list[Message]) -> None:
        if not messages:
            return
        if not self._spooling:
            log.warning("Kafka unreachable: mediawatch events go to the local spool")
            self._spooling = True
            self._next_probe = time.monotonic() + self._retry_interval
        accepted = self._spool.append(messages) if self._spool is not None else 0
        self.counters.spooled += accepted
        self.counters.dropped_spool_full += len(messages) - accepted

    def _drain(self) -> bool:
        """Send the spool oldest first while Kafka takes it; False when the cluster did not
        answer at all.

        Messages Kafka may have written without acknowledging them are first looked for in
        the log, and those found are skipped. A chunk Kafka took only in part stays at the
        head of the spool (the file is only advanced past whole chunks), and only its untaken
        messages are sent again; a crash in between may send the taken part again.
        """
        assert self._producer is not None
        self._next_probe = time.monotonic() + self._retry_interval
        try:
            self._producer.list_topics(timeout=min(self._retry_interval, 2.0))
        except KafkaException:
            return False
        if self._unconfirmed.suspects and not self._read_back():
            return False
        spool = self._spool
        while spool is not None and not spool.empty:
            if self._partial is not None:
                chunk, remaining = self._partial
            else:
                chunk = spool.read(BATCH)
                remaining = chunk.messages
            if self._unconfirmed.written:
                remaining = self._skip_written(remaining)
            failed = self._send(remaining) if remaining else []
            if failed:
                self._partial = (chunk, failed)
                return True
            self._partial = None
            spool.advance(chunk)
            if time.monotonic() > self._closing_by:
                return True
        self._unconfirmed.forget_written()
        log.warning("Kafka reachable again: the mediawatch spool has been sent")
        self._spooling = False
        return True

    def _read_back(self) -> bool:
        """Look for the unconfirmed messages in their partitions; False when the cluster
        did not answer."""
        suspects = self._unconfirmed.suspects
        count = sum(len(s.digests) for s in suspects.values())
        timeout = max(1.0, min(READBACK_TIMEOUT, self._closing_by - time.monotonic()))
        found = find_written(self._config, suspects, timeout)
        if found is None:
            return False
        if not found.complete:
            log.warning(
                "could not read back every partition: %d mediawatch events are sent again "
                "and may be in Kafka twice",
                count - len(found.written),
            )
        else:
            log.info(
                "%d of %d unacknowledged mediawatch events were in Kafka already",
                len(found.written),
                count,
            )
        self._unconfirmed.settle(found.written)
        return True

    def _skip_written(self, messages: list[Message]) -> list[Message]:
        """``messages`` without those the log holds already (counted as sent)."""
        left = [m for m in messages if not self._unconfirmed.already_written(m.value)]
        self.counters.sent += len(messages) - len(left)
        return left

    def _finish(self) -> None:
        # Closing: keep sending the spool while the cluster answers, up to the deadline.
        while self._spooling and time.monotonic() < self._closing_by:
            if not self._drain():
                break
            if self._spooling:
                time.sleep(min(self._retry_interval, max(0.0, self._closing_by - time.monotonic())))
        if self._producer is not None:
            self._producer.flush(max(0.0, self._closing_by - time.monotonic()))
        if self._spool is not None:
            self.left_in_spool = self._spool.pending
            if not self._spool.empty:
                log.warning(
                    "%d mediawatch events stay in %s until the next start",
                    self._spool.pending,
                    self._spool.directory,
                )
            self._spool.close()
        self._report(force=True)

    def _report(self, force: bool = False) -> None:
        now = time.monotonic()
        if now < self._next_report and not force:
            return
        self._next_report = now + REPORT_EVERY
        dropped = self.counters.dropped()
        new = {k: v - self.counters.reported.get(k, 0) for k, v in dropped.items()}
        if any(new.values()):
            log.warning(
                "mediawatch dropped events: %s",
                ", ".join(f"{n} ({reason})" for reason, n in new.items() if n),
            )
        self.counters.reported = dropped
