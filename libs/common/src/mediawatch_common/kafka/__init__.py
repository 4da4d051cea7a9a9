"""Kafka plumbing shared by every service: topics, producer, consumer loop, dead letters."""

from __future__ import annotations

from mediawatch_common.kafka.consumer import (
    SMALL_PREFETCH,
    ConsumerLoop,
    Record,
    consumer_config,
    each,
)
from mediawatch_common.kafka.deadletter import DeadLetters, deadletter_headers
from mediawatch_common.kafka.producer import (
    Delivered,
    DeliveryError,
    EventProducer,
    producer_config,
)
from mediawatch_common.kafka.read_back import end_offsets, read_history
from mediawatch_common.kafka.topics import (
    FOREVER,
    Topics,
    TopicSpec,
    create_missing_topics,
    declare_topics,
    ensure_topics,
    new_topics,
)
from mediawatch_common.kafka.watermarks import watermarks

__all__ = [
    "FOREVER",
    "SMALL_PREFETCH",
    "ConsumerLoop",
    "DeadLetters",
    "Delivered",
    "DeliveryError",
    "EventProducer",
    "Record",
    "TopicSpec",
    "Topics",
    "consumer_config",
    "create_missing_topics",
    "deadletter_headers",
    "declare_topics",
    "each",
    "end_offsets",
    "ensure_topics",
    "new_topics",
    "producer_config",
    "read_history",
    "watermarks",
]
