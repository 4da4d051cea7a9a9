"""The jobs consumer: up to ``concurrency`` jobs at once, each in a thread of its own.

Only this loop's thread talks to the Kafka consumer. Each job runs in a pool thread, and
reports back through a queue when it finished (its session recorded and acknowledged) or
gave up (the worker is stopping). A partition's offset is committed up to its oldest
unfinished job (:mod:`mediawatch_transcoder.offsets`), so a job that did not finish is
delivered again after a restart or a rebalance. While every slot is busy the loop pauses
its partitions and keeps polling, so it stays in its group however long the jobs take.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from mediawatch_common.events import Event
from mediawatch_common.kafka import DeadLetters, Record
from mediawatch_common.metrics.lag import CONSUMER_LAG, LagTracker, PartitionLag
from mediawatch_common.retry import Backoff, retry
from mediawatch_transcoder.offsets import OffsetTracker, Partition

log = logging.getLogger("mediawatch_transcoder.job_loop")

Decoder = Callable[[bytes], Event]
JobHandler = Callable[[Record[Event]], None]

_COMMIT_BACKOFF = Backoff(initial=0.5, maximum=2.0)


class _Done(NamedTuple):
    partition: Partition
    offset: int
    ticket: int
    finished: bool


class JobLoop:
    """Consume ``topic`` and run each job with ``handle`` until stopped."""

    def __init__(
        self,
        config: Mapping[str, Any],
        topic: str,
        decode: Decoder,
        handle: JobHandler,
        deadletters: DeadLetters,
        concurrency: int = 1,
        *,
        poll_timeout: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self._consumer = Consumer(dict(config))
        self.group = str(config["group.id"])
        self._topic, self._decode, self._handle = topic, decode, handle
        self._deadletters = deadletters
        self.concurrency = concurrency
        self._poll_timeout = poll_timeout
        self._backoff = Backoff(initial=0.5, maximum=max_backoff)
        self._stopping = threading.Event()
        self._done: queue.Queue[_Done] = queue.Queue()
        self._offsets = OffsetTracker()
        self._held: deque[Message] = deque()
        self._paused = False
        self._reassigned = False
        self._running = 0
        self._inflight: Counter[Partition] = Counter()
        self._lag = LagTracker(self._consumer, self.group)
        self.processed = 0
        self.deadlettered = 0

    def stop(self) -> None:
        """Take no more jobs; wait for the running ones (the caller abandons them)."""
        self._stopping.set()

    def lag(self) -> list[PartitionLag]:
        """This member's lag per assigned partition (any thread)."""
        return self._lag()

    def run(self) -> None:
        """Consume until :meth:`stop`; then wait for the running jobs and commit."""
        callbacks = self._lag.callbacks()
        self._consumer.subscribe(
            [self._topic],
            on_assign=lambda consumer, partitions: self._assigned(
                callbacks["on_assign"], consumer, partitions
            ),
            on_revoke=self._revoked,
            on_lost=self._lost,
        )
        untrack = CONSUMER_LAG.track(self._lag)
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="transcoder-job")
        try:
            while not self._stopping.is_set():
                self._step(pool)
        finally:
            pool.shutdown(wait=True)
            self._collect(block=False)
            self._commit()
            untrack()
            self._consumer.close()

    def _step(self, pool: ThreadPoolExecutor) -> None:
        self._collect(block=False)
        free = self.concurrency - self._running
        if free <= 0:
            self._pause()
            message = self._consumer.poll(self._poll_timeout)
            if message is not None:
                self._held.append(message)
            self._collect(block=False)
        else:
            self._resume()
            while self._held and self._running < self.concurrency:
                self._dispatch(self._held.popleft(), pool)
            want = self.concurrency - self._running
            if want > 0:
                for message in self._consumer.consume(want, self._poll_timeout):
                    self._dispatch(message, pool)
        self._lag.refresh()
        self._commit()

    def _dispatch(self, msg: Message, pool: ThreadPoolExecutor) -> None:
        """Start a job for ``msg``; a message that holds none is finished at once."""
        record = self._record(msg)
        if record is None:
            return
        partition = (record.topic, record.partition)
        ticket = self._offsets.take(partition, record.offset)
        self._running += 1
        self._inflight[partition] += 1
        pool.submit(self._job, record, ticket)

    def _record(self, msg: Message) -> Record[Event] | None:
        error = msg.error()
        if error is not None:
            if error.fatal():
                raise KafkaException(error)
            if error.code() != KafkaError._PARTITION_EOF:
                log.warning("consumer error", extra={"error": error.str()})
            return None
        topic, partition, offset = str(msg.topic()), msg.partition() or 0, msg.offset() or 0
        try:
            event = self._decode(msg.value() or b"")
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            log.error("dead-lettering undecodable job", extra={"offset": offset, "reason": reason})
            self._deadletters.send(msg, reason)
            self.deadlettered += 1
            self._offsets.skip((topic, partition), offset)
            return None
        _, timestamp = msg.timestamp()
        return Record(topic, partition, offset, msg.key(), int(timestamp), event)

    def _job(self, record: Record[Event], ticket: int) -> None:
        """Run one job in a pool thread; retry while it fails, unless the worker stops."""
        finished = False
        try:
            retry(
                lambda: self._handle(record),
                self._backoff,
                stopping=self._stopping.is_set,
                wait=self._stopping.wait,
                on_retry=lambda _exc, delay: log.exception(
                    "job failed; retrying", extra={"backoff_seconds": delay}
                ),
            )
            finished = True
        except Exception:
            log.warning("job not finished; it will be delivered again", exc_info=True)
        finally:
            partition = (record.topic, record.partition)
            self._done.put(_Done(partition, record.offset, ticket, finished))

    def _collect(self, block: bool) -> None:
        """Take in what the pool threads reported."""
        while True:
            try:
                done = self._done.get(block=block, timeout=self._poll_timeout if block else None)
            except queue.Empty:
                return
            self._running -= 1
            self._inflight[done.partition] -= 1
            if done.finished and self._offsets.finish(done.partition, done.offset, done.ticket):
                self.processed += 1
            block = False

    def _commit(self, only: set[Partition] | None = None) -> None:
        positions = self._offsets.committable(only)
        if not positions:
            return
        self._deadletters.flush()
        offsets = [TopicPartition(t, p, o) for (t, p), o in positions.items()]
        try:
            retry(
                lambda: self._consumer.commit(offsets=offsets, asynchronous=False),
                _COMMIT_BACKOFF,
                retry_on=KafkaException,
                max_attempts=5,
            )
        except KafkaException as exc:
            log.error(
                "commit failed; finished jobs may be delivered again", extra={"error": str(exc)}
            )
            return
        self._offsets.committed(positions)

    def _pause(self) -> None:
        if not self._paused:
            assignment: list[TopicPartition] = self._consumer.assignment()
            if assignment:
                self._consumer.pause(assignment)
                self._lag.paused(assignment)
            self._paused = True

    def _resume(self) -> None:
        """Resume the whole assignment: a partition paused before a rebalance and assigned
        again stays paused in the client until resumed."""
        if self._paused or self._reassigned:
            assignment: list[TopicPartition] = self._consumer.assignment()
            if assignment:
                with contextlib.suppress(KafkaException):
                    self._consumer.resume(assignment)
                self._lag.resumed(assignment)
            self._paused = self._reassigned = False

    def _assigned(
        self,
        track: Callable[[Consumer, list[TopicPartition]], None],
        consumer: Consumer,
        partitions: list[TopicPartition],
    ) -> None:
        track(consumer, partitions)
        self._reassigned = True
        self._paused = False

    def _revoked(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Let the running jobs of the partitions leaving us finish (the group waits, as it
        waits for a worker busy with one job), commit them, then forget the partitions."""
        gone = {(tp.topic, tp.partition) for tp in partitions}
        while any(self._inflight[p] > 0 for p in gone):
            self._collect(block=True)
        self._give_up(consumer, partitions, gone)

    def _lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Partitions already given to another member: their running jobs count for nothing."""
        self._give_up(consumer, partitions, {(tp.topic, tp.partition) for tp in partitions})

    def _give_up(
        self, consumer: Consumer, partitions: list[TopicPartition], gone: set[Partition]
    ) -> None:
        self._collect(block=False)
        self._commit(gone)
        self._offsets.forget(gone)
        self._held = deque(m for m in self._held if (m.topic(), m.partition()) not in gone)
        self._lag.assignment.revoked(consumer, partitions)
