"""The Kafka side of log shipping: records become ``LogRecorded`` on the logs topic."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaError, Message
from confluent_kafka import Producer as KafkaProducer

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import Producer, default_codec, encode_event
from mediawatch_common.kafka.connection import Connection, client_properties, connection_config
from mediawatch_common.kafka.topics import declare_topics
from mediawatch_common.logs.encode import LogEncoder
from mediawatch_common.logs.records import log_event
from mediawatch_common.logs.shipping import LogShipper
from mediawatch_common.settings import Settings

RDKAFKA_LOGGER = "mediawatch_common.logs.rdkafka"


class KafkaSink:
    """Produce each record to the logs topic, keyed by logger; never waits for the broker."""

    def __init__(
        self, config: dict[str, Any], topic: str, producer: Producer, codec: AvroCodec | None
    ) -> None:
        self._kafka = KafkaProducer(config)
        self._capacity = int(config.get("queue.buffering.max.messages", 100_000))
        self._topic = topic
        self._producer = producer
        self._codec = codec
        self._fast = LogEncoder.create(codec or default_codec())
        self._who = LogEncoder.producer_bytes(producer)
        self._failed = 0

    def _delivered(self, err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            self._failed += 1

    def send(self, record: logging.LogRecord, message: str) -> bool:
        if len(self._kafka) >= self._capacity:  # the broker is away: refuse before encoding
            return False
        if self._fast is not None:
            data = self._fast.encode_record(record, message, self._who)
        else:
            data = encode_event(log_event(record, message, self._producer), self._codec)
        try:
            self._kafka.produce(self._topic, data, record.name, on_delivery=self._delivered)
        except BufferError:
            return False
        return True

    def poll(self) -> int:
        self._kafka.poll(0)
        failed, self._failed = self._failed, 0
        return failed

    def flush(self, timeout: float) -> int:
        remaining: int = self._kafka.flush(timeout)
        return remaining + self.poll()


def sink_config(bootstrap: Connection, client_id: str, capacity: int) -> dict[str, Any]:
    """librdkafka settings of the log sink: a bounded buffer, batches of 100 ms."""
    return {
        **client_properties(bootstrap),
        "client.id": client_id,
        "linger.ms": 100,
        "compression.type": "lz4",
        "queue.buffering.max.messages": capacity,
        "message.timeout.ms": 30_000,
        # librdkafka's own messages go to the files through this logger, never shipped.
        "logger": logging.getLogger(RDKAFKA_LOGGER),
    }


def ship_logs(settings: Settings, service: str) -> LogShipper:
    """A handler shipping this process's records as ``service`` (see :class:`LogShipper`)."""
    log = settings.log
    sink = KafkaSink(
        sink_config(
            connection_config(settings.kafka),
            f"{settings.kafka.client_id}-{service}-logs",
            log.ship_queue_size,
        ),
        declare_topics(settings.kafka.topic_prefix).logs.name,
        Producer.current(service),
        AvroCodec(SchemaRegistry(settings.paths.schema_dir)),
    )
    return LogShipper(
        sink,
        logging.getLevelName(log.ship_level),
        log.ship_queue_size,
        flush_seconds=log.ship_flush_seconds,
    )
