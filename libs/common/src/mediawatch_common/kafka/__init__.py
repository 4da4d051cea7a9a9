"""Kafka plumbing shared by every service: topics, producer, consumer loop, dead letters."""

from __future__ import annotations

from mediawatch_common.kafka.access import KafkaAccessError, check_access
from mediawatch_common.kafka.connection import (
    Connection,
    bootstrap_of,
    client_properties,
    connection_config,
    java_client_properties,
)
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
    "Connection",
    "ConsumerLoop",
    "DeadLetters",
    "Delivered",
    "DeliveryError",
    "EventProducer",
    "KafkaAccessError",
    "Record",
    "TopicSpec",
    "Topics",
    "bootstrap_of",
    "check_access",
    "client_properties",
    "connection_config",
    "consumer_config",
    "create_missing_topics",
    "deadletter_headers",
    "declare_topics",
    "each",
    "end_offsets",
    "ensure_topics",
    "java_client_properties",
    "new_topics",
    "producer_config",
    "read_history",
    "watermarks",
]
