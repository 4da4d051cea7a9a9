"""The notifier's edge: consume alerts, dispatch groups, deliver concurrently, commit safely."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import partial

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import AlertRaised, Event, decode_event, encode_event
from mediawatch_common.kafka import Connection, DeadLetters, EventProducer, consumer_config
from mediawatch_common.kafka.read_back import end_offsets, read_positions
from mediawatch_common.metrics import CONSUMER_LAG, LagTracker
from mediawatch_common.wall_clock import Clock
from mediawatch_notifier.alertmanager import Refresher
from mediawatch_notifier.backlog import Backlog
from mediawatch_notifier.delivery import Deliverer, Outcome, Record
from mediawatch_notifier.grouping import Dispatcher, Notification
from mediawatch_notifier.metrics import NotifierMetrics
from mediawatch_notifier.overtaken import Overtaken
from mediawatch_notifier.pending_offsets import PendingOffsets, Token
from mediawatch_notifier.routing import Routing, Sink

log = logging.getLogger(__name__)


class NotifierService:
    """Consumes the alerts topic; offsets are committed only below undelivered messages."""

    def __init__(
        self,
        routing: Routing,
        deliverer: Deliverer,
        *,
        bootstrap: Connection,
        group_id: str,
        alerts_topic: str,
        deadletter_topic: str,
        codec: AvroCodec,
        producer: EventProducer,
        clock: Clock,
        workers: int = 8,
        metrics: NotifierMetrics | None = None,
    ) -> None:
        self._routing = routing
        self._bootstrap = bootstrap
        self._topic = alerts_topic
        self._codec = codec
        self._producer = producer
        self._clock = clock
        self.dispatcher = Dispatcher(routing.routes)
        self._refresher = Refresher(
            {
                s.name: s.resend_interval_seconds
                for s in routing.sinks.values()
                if s.type == "alertmanager"
            }
        )
        self._refreshed: queue.Queue[str] = queue.Queue()
        self._pending = PendingOffsets()
        self._done: queue.Queue[tuple[Notification, Outcome]] = queue.Queue()
        self._outstanding: dict[str, list[Outcome]] = {}
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify")
        self._consumer = Consumer(dict(consumer_config(bootstrap, group_id)))
        self._deadletters = DeadLetters(producer, deadletter_topic, group_id)
        self._committed: dict[tuple[str, int], int] = {}
        self._backlog = Backlog({}, {})
        self._lag = LagTracker(self._consumer, group_id)
        self.metrics = metrics or NotifierMetrics(registry=None)
        self.metrics.count_queue(lambda: len(self._outstanding))
        deliverer.record = self._record
        deliverer.sleep = self._sleep
        self._overtaken = deliverer.overtaken = Overtaken()
        self._deliverer = deliverer
        self.sent: list[Notification] = []

    def stop(self) -> None:
        """Stop polling; deliveries waiting to retry give up and stay uncommitted."""
        self._stopping.set()

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Rebuild from the log, then consume until :meth:`stop` or ``until()``."""
        self._rebuild()
        self._consumer.subscribe([self._topic], **self._lag.callbacks())
        untrack = CONSUMER_LAG.track(self._lag)
        try:
            while not self._stopping.is_set() and not (until and until()):
                self._poll(self._wait())
                self._lag.refresh()
                if until and until():  # asked again: a process stopped while polling may
                    break  # have lost its lease meanwhile, and sends nothing then
                self._dispatch(self._clock.now())
                self._refresh(self._clock.now())
                self._collect()
                self._commit()
        finally:
            untrack()
            self._stopping.set()
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._collect()
            self._commit()
            self._consumer.close()
            self._producer.flush()

    def _rebuild(self) -> None:
        """Replay what this group already committed, so resolved and repeat messages still
        follow the alerts it announced before a restart. Alerts raised past the commits (the
        backlog a previous holder left) are owed; the delivery records up to the topic's end
        tell which sinks got them already."""
        metadata = self._consumer.list_topics(self._topic, timeout=10).topics[self._topic]
        wanted = [TopicPartition(self._topic, p) for p in metadata.partitions]
        committed = self._consumer.committed(wanted, timeout=10)
        until = {tp.partition: tp.offset for tp in committed if tp.offset > 0}
        ends = end_offsets(self._consumer, self._topic)
        self._backlog = backlog = Backlog(until, ends)
        if not backlog.continuing:
            return
        read = partial(read_positions, self._bootstrap, self._topic, self._decode, ends)
        backlog.replay(lambda since: read(since=since), self.dispatcher.restore)
        self.dispatcher.delivered = backlog.delivered()
        self._overtaken.learn(backlog.resolutions())

    def _wait(self) -> float:
        due = self.dispatcher.next_due()
        if due is None:
            return 0.2
        return max(0.0, min(0.2, (due - self._clock.now()).total_seconds()))

    def _poll(self, timeout: float) -> None:
        for msg in self._consumer.consume(200, timeout):
            error = msg.error()
            if error is not None:
                if error.fatal():
                    raise KafkaException(error)
                continue
            token = Token(str(msg.topic()), msg.partition() or 0, msg.offset() or 0)
            self._pending.seen(token)
            event = self._decode_or_deadletter(msg)
            if event is not None:
                reading = self._backlog.reading(token.partition, token.offset)
                for _ in range(self.dispatcher.accept(event, token, self._clock.now(), reading)):
                    self._pending.hold(token)
            self._pending.release(token)
        self._deadletters.flush()

    def _dispatch(self, now: datetime) -> None:
        for notification in self.dispatcher.due(now):
            sinks = [self._routing.sinks[name] for name in notification.route.sinks]
            if not notification.alert_ids or not sinks:
                self._finish(notification)
                continue
            self.sent.append(notification)
            self._refresher.noted(notification)
            self._outstanding[notification.notification_id] = []
            for sink in sinks:
                future = self._submit(notification, sink)
                future.add_done_callback(self._on_done(notification))

    def _refresh(self, now: datetime) -> None:
        """Push again to each Alertmanager what still fires there (one request per sink)."""
        for name, notification in self._refresher.due(now, self._firing_for(now)):
            future = self._submit(notification, self._routing.sinks[name])
            future.add_done_callback(self._on_refreshed(name))

    def _submit(self, notification: Notification, sink: Sink) -> Future[Outcome]:
        """Hand one delivery to the workers; its resolutions overtake the firing of the same
        alerts still on its way to the sink (in this thread, so in dispatch order)."""
        self._overtaken.resolving(notification)
        self._overtaken.open(notification, sink.name)
        future = self._pool.submit(self._deliverer.deliver, notification, sink)
        future.add_done_callback(lambda _f: self._overtaken.close(notification, sink.name))
        return future

    def _firing_for(self, now: datetime) -> Callable[[str], list[AlertRaised]]:
        return lambda sink: self.dispatcher.firing_for(sink, now)

    def _on_refreshed(self, sink: str) -> Callable[[Future[Outcome]], None]:
        def done(_future: Future[Outcome]) -> None:
            self._refreshed.put(sink)

        return done

    def _on_done(self, notification: Notification) -> Callable[[Future[Outcome]], None]:
        def done(future: Future[Outcome]) -> None:
            try:
                outcome = future.result()
            except Exception:
                log.exception("delivery crashed; the alert stays uncommitted")
                outcome = Outcome(False, 0, stopped=True)
            self._done.put((notification, outcome))

        return done

    def _collect(self) -> None:
        while not self._refreshed.empty():
            self._refresher.finished(self._refreshed.get_nowait())
        while True:
            try:
                notification, outcome = self._done.get_nowait()
            except queue.Empty:
                return
            outcomes = self._outstanding[notification.notification_id]
            outcomes.append(outcome)
            if len(outcomes) == len(notification.route.sinks):
                del self._outstanding[notification.notification_id]
                if not any(o.stopped for o in outcomes):
                    self._finish(notification)

    def _finish(self, notification: Notification) -> None:
        for token in notification.tokens:
            self._pending.release(token)
        self.dispatcher.follow_up(notification, self._clock.now())

    def _commit(self) -> None:
        positions = self._pending.committable()
        changed = [
            TopicPartition(t, p, o)
            for (t, p), o in positions.items()
            if self._committed.get((t, p)) != o
        ]
        if not changed:
            return
        try:
            self._producer.flush()
            self._consumer.commit(offsets=changed, asynchronous=False)
            self._committed.update({(tp.topic, tp.partition): tp.offset for tp in changed})
        except KafkaException as exc:
            log.warning("commit failed; will retry", extra={"error": str(exc)})

    def _record(self, record: Record) -> None:
        self.metrics.recorded(record)
        self._producer.produce(self._topic, encode_event(record, self._codec), key=record.group_key)

    def _sleep(self, seconds: float) -> bool:
        return not self._stopping.wait(seconds)

    def _decode(self, data: bytes) -> Event:
        return decode_event(data, self._codec)

    def _decode_or_deadletter(self, msg: Message) -> Event | None:
        try:
            return self._decode(msg.value() or b"")
        except Exception as exc:
            log.error("dead-lettering undecodable alert message", extra={"reason": str(exc)})
            self._deadletters.send(msg, f"{type(exc).__name__}: {exc}")
            return None
