"""Everything a consumer needs besides its own logic: decoding, dead letters, offsets, signals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import click

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import Event, decode_event
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.kafka.added_partitions import read_added_partitions
from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.settings import Settings

log = logging.getLogger(__name__)

TopicRole = Literal["jobs", "pipeline", "resources", "windows", "alerts", "logs"]
EventHandler = Callable[[Any], None]


@dataclass(frozen=True, slots=True)
class Consumer:
    """A consumer declared by what it reads and what it does with each event.

    Attributes:
        name: Short name; the consumer group is ``<KAFKA_TOPIC_PREFIX>.<name>``, its own.
        topics: Topic roles to read (``pipeline``, ``alerts``, ...), not full names.
        handlers: Event type -> function taking one event. Other types are skipped.
        start: Where a new group starts: ``latest`` (only new events) or ``earliest``
            (back-fill from the oldest event kept). A known group resumes where it stopped.
        batch_size: Messages handled between two offset commits.
        on_batch_end: Called after each batch's handlers (flush buffered output here); the
            offsets are committed only after it returns.
    """

    name: str
    topics: Sequence[TopicRole]
    handlers: Mapping[type[Any], EventHandler]
    start: Literal["latest", "earliest"] = "latest"
    batch_size: int = 500
    on_batch_end: Callable[[], None] | None = None
    consumer_settings: Mapping[str, Any] = field(default_factory=dict)

    def dispatch(self, batch: Sequence[Record[Event]]) -> None:
        """Hand every wanted event of ``batch`` to its handler, in log order."""
        for record in batch:
            handler = self.handlers.get(type(record.event))
            if handler is not None:
                handler(record.event)
        if self.on_batch_end is not None:
            self.on_batch_end()


def build_loop(consumer: Consumer, settings: Settings) -> ConsumerLoop[Event]:
    """The consumer loop that runs ``consumer`` against the configured cluster."""
    kafka = settings.kafka
    topics = declare_topics(kafka.topic_prefix)
    group = f"{kafka.topic_prefix}.{consumer.name}"
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    producer = EventProducer(producer_config(connection_config(kafka), group))
    return ConsumerLoop(
        consumer_config(connection_config(kafka), group, consumer.start,
                        dict(consumer.consumer_settings)),
        [getattr(topics, role).name for role in consumer.topics],
        lambda data: decode_event(data, codec),
        consumer.dispatch,
        DeadLetters(producer, topics.deadletter.name, group),
        batch_size=consumer.batch_size,
        on_assign=read_added_partitions,
    )  # fmt: skip


def run_consumer(consumer: Consumer, settings: Settings,
                 until: Callable[[], bool] | None = None) -> ConsumerLoop[Event]:  # fmt: skip
    """Run ``consumer`` until SIGTERM/SIGINT (or ``until()``); returns the finished loop."""
    loop = build_loop(consumer, settings)
    try:
        loop.stop_on_signals(settings.shutdown.timeout_seconds)
    except ValueError:
        log.debug("not in the main thread: signals stay with the caller")
    log.info("consumer starting", extra={"consumer": consumer.name, "group": loop.group})
    loop.run(until)
    log.info("consumer stopped", extra={"consumer": consumer.name, "events": loop.processed})
    return loop


def consumer_command(consumer: Consumer, help_text: str | None = None) -> click.Command:
    """A click command running ``consumer``; register it under ``mediawatch.services``."""

    @click.command(name=consumer.name, help=help_text or f"Run the {consumer.name} consumer.")
    @pass_settings
    def command(settings: Settings) -> None:
        run_consumer(consumer, settings)

    return command
