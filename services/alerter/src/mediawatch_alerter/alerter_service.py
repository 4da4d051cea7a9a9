"""The alerter's edge: consume, evaluate, publish; tick on the wall clock; rebuild at start.

What one batch of input produces is appended to the alerts topic in one transaction with the
batch's offsets, so a successor (a restart, or a standby taking over) resumes exactly after
the last input whose output is in the topic, and rebuilds from exactly that output.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from confluent_kafka import Message, TopicPartition

from mediawatch_alerter.evaluator import Evaluator, Output
from mediawatch_alerter.metrics import AlerterMetrics
from mediawatch_common.avro import AvroCodec
from mediawatch_common.deadletters import DeadLetter, from_message
from mediawatch_common.events import AlertRaised, AlertResolved, Event, decode_event, encode_event
from mediawatch_common.kafka import (
    Connection,
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
)
from mediawatch_common.kafka.read_back import read_history
from mediawatch_common.kafka.standby import FencedError
from mediawatch_common.kafka.transactions import TransactionalProducer

log = logging.getLogger(__name__)

Input = Event | DeadLetter
"""What the alerter consumes: events, and the dead letters of the dead-letter topic."""

LIVE_LAG_SECONDS = 60.0
"""A batch whose newest message is older than this means the alerter is catching up."""

IDLE_SECONDS = 3.0
"""No batch for this long means the backlog is consumed."""


class AlerterService:
    """Runs one :class:`Evaluator` against the broker."""

    def __init__(
        self,
        evaluator: Evaluator,
        *,
        bootstrap: Connection,
        group_id: str,
        inputs: Sequence[str],
        alerts_topic: str,
        deadletter_topic: str,
        codec: AvroCodec,
        publisher: TransactionalProducer,
        deadletter_producer: EventProducer,
        tick_seconds: float = 5.0,
        rebuild_timeout: float = 60.0,
        recall: Callable[[], Iterable[Event]] | None = None,
        metrics: AlerterMetrics | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.metrics = metrics or AlerterMetrics(registry=None)
        self._bootstrap = bootstrap
        self._alerts = alerts_topic
        self._codec = codec
        self._publisher = publisher
        self._fenced: FencedError | None = None
        self._tick_seconds = tick_seconds
        self._rebuild_timeout = rebuild_timeout
        self._recall = recall
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.published = 0
        self._last_batch = 0.0
        # The dead-letter topic too, read whole (headers included): the dead_letters rule.
        self.loop: ConsumerLoop[Input] = ConsumerLoop(
            consumer_config(bootstrap, group_id),
            [*inputs, alerts_topic, deadletter_topic],
            self._decode,
            self._handle,
            DeadLetters(deadletter_producer, deadletter_topic, group_id),
            read_whole={deadletter_topic: self._read_deadletter},
            commit=False,
        )

    def rebuild(self) -> int:
        """Read the alerts topic back so firing alerts and silences are known, not re-sent."""
        history = read_history(
            self._bootstrap, self._alerts, self._decode, timeout=self._rebuild_timeout
        )
        with self._lock:
            applied = self.evaluator.restore(history)
            recalled = self.evaluator.recall(self._recall()) if self._recall else 0
            self.metrics.firing_now(self.evaluator.book.firing())
        log.info(
            "alert state rebuilt",
            extra={
                "events": applied,
                "firing": len(self.evaluator.book.firing()),
                "cleared": len(self.evaluator.book.cleared()),
                "recalled": recalled,
            },
        )
        return applied

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Fence any earlier instance, rebuild, then consume and tick until :meth:`stop` (or
        ``until()``).

        Raises:
            FencedError: another instance took over meanwhile (nothing more was written).
        """
        self._publisher.start(self._rebuild_timeout)
        self.rebuild()
        ticker = threading.Thread(target=self._tick_forever, name="alerter-tick", daemon=True)
        ticker.start()
        try:
            self.loop.run(until)
        finally:
            self._stopping.set()
            ticker.join(timeout=self._tick_seconds + 5)
            self.metrics.firing_now([])  # whoever leads next reports what fires
        if self._fenced is not None:
            raise self._fenced

    def stop(self) -> None:
        """Finish the current batch and stop."""
        self._stopping.set()
        self.loop.stop()

    def tick(self) -> None:
        """Evaluate time-based conditions now and publish what they produce."""
        with self._lock:
            self._publish(self.evaluator.tick())
        self.metrics.evaluated("tick")

    def _decode(self, data: bytes) -> Event:
        return decode_event(data, self._codec)

    def _read_deadletter(self, msg: Message) -> Input:
        letter = from_message(msg)
        return letter if letter is not None else self._decode(msg.value() or b"")

    def _handle(self, batch: Sequence[Record[Input]]) -> None:
        newest = max((r.timestamp_ms for r in batch), default=0) / 1000
        self._last_batch = time.monotonic()
        with self._lock:
            self.evaluator.set_live(time.time() - newest < LIVE_LAG_SECONDS)
            out: list[Output] = []
            for record in batch:
                out += self.evaluator.handle(record.event)
            self._publish(out, _positions(batch))
        self.metrics.evaluated("event", len(batch))

    def _tick_forever(self) -> None:
        while not self._stopping.wait(self._tick_seconds):
            try:
                if time.monotonic() - self._last_batch > IDLE_SECONDS:
                    # No backlog: the consumer is waiting for new events, so it is caught up.
                    self.evaluator.set_live(True)
                self.tick()
            except Exception:
                log.exception("tick failed; trying again at the next one")

    def _publish(self, events: Sequence[Output], offsets: Sequence[TopicPartition] = ()) -> None:
        """Append ``events`` and commit ``offsets`` in one transaction; keeps trying while the
        broker is unavailable, so an alert is never dropped. Once fenced, this instance stops.
        """
        if not events and not offsets:
            return
        messages = [(self._alerts, _key(e), encode_event(e, self._codec)) for e in events]
        try:
            self._publisher.append(
                messages,
                offsets,
                self.loop.group_metadata() if offsets else None,
                stopping=self._stopping.is_set,
            )
        except FencedError as exc:
            self._fenced = self._fenced or exc
            self.stop()
            raise
        self.published += len(events)
        self.metrics.published(events)
        self.metrics.firing_now(self.evaluator.book.firing())
        for event in events:
            log.info("published", extra={"event": type(event).__name__, "key": _key(event)})


def _positions(batch: Sequence[Record[Input]]) -> list[TopicPartition]:
    """The offsets to commit once ``batch`` is handled: past its last record per partition."""
    ends: dict[tuple[str, int], int] = {}
    for record in batch:
        ends[(record.topic, record.partition)] = record.offset + 1
    return [TopicPartition(t, p, o) for (t, p), o in ends.items()]


def _key(event: Output) -> str:
    """Alerts are keyed by fingerprint (one partition per condition), silences by id."""
    return event.fingerprint if isinstance(event, AlertRaised | AlertResolved) else event.silence_id
