"""Messages that cannot be decoded go to the dead-letter topic with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

from confluent_kafka import Message

from mediawatch_common.kafka.producer import EventProducer
from mediawatch_common.metrics.deadletters import DEAD_LETTERS, DeadLetterCounter

REASON = "mw-reason"
ORIGIN_TOPIC = "mw-origin-topic"
ORIGIN_PARTITION = "mw-origin-partition"
ORIGIN_OFFSET = "mw-origin-offset"
CONSUMER_GROUP = "mw-consumer-group"
FAILED_AT = "mw-failed-at"


def deadletter_headers(msg: Message, reason: str, group: str) -> list[tuple[str, bytes]]:
    """Headers telling where a message came from and why it could not be read."""
    return [
        (REASON, reason.encode()[:2000]),
        (ORIGIN_TOPIC, str(msg.topic()).encode()),
        (ORIGIN_PARTITION, str(msg.partition()).encode()),
        (ORIGIN_OFFSET, str(msg.offset()).encode()),
        (CONSUMER_GROUP, group.encode()),
        (FAILED_AT, datetime.now(UTC).isoformat().encode()),
    ]


class DeadLetters:
    """Send unreadable messages, unchanged, to one topic."""

    def __init__(
        self,
        producer: EventProducer,
        topic: str,
        group: str,
        counter: DeadLetterCounter = DEAD_LETTERS,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._group = group
        self._counter = counter

    def send(self, msg: Message, reason: str) -> None:
        """Queue ``msg`` for the dead-letter topic; :meth:`flush` makes it durable."""
        self._producer.produce(
            self._topic,
            msg.value() or b"",
            key=msg.key(),
            headers=deadletter_headers(msg, reason, self._group),
        )
        self._counter.count(str(msg.topic()), reason)

    def flush(self) -> None:
        """Wait until every dead letter is acknowledged (raises on failure)."""
        self._producer.flush()
