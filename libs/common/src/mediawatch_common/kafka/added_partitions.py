"""Partitions added to a topic after a group started reading it are read from their start.

A group that starts at ``latest`` would otherwise skip what producers wrote to a new partition
before the group was assigned it (up to one metadata refresh).
"""

from __future__ import annotations

import logging

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

log = logging.getLogger(__name__)


def read_added_partitions(consumer: Consumer, partitions: list[TopicPartition]) -> None:
    """``on_assign`` callback: start an added partition at its beginning, the others as
    configured.

    Kafka numbers added partitions after the existing ones, so a partition without a committed
    offset whose number is above every partition the group has committed on was added after
    the group began reading the topic.
    """
    try:
        committed = _committed(consumer, {tp.topic for tp in partitions})
    except KafkaException as exc:  # the brokers are slow to answer: start as configured
        log.warning("committed offsets unknown at assignment", extra={"error": str(exc)})
        consumer.assign(partitions)
        return
    highest: dict[str, int] = {}
    uncommitted: set[tuple[str, int]] = set()
    for tp in committed:
        if tp.offset >= 0:
            highest[tp.topic] = max(highest.get(tp.topic, -1), tp.partition)
        else:
            uncommitted.add((tp.topic, tp.partition))
    for tp in partitions:
        added = tp.partition > highest.get(tp.topic, tp.partition)
        if added and (tp.topic, tp.partition) in uncommitted:
            tp.offset = OFFSET_BEGINNING
    consumer.assign(partitions)


def _committed(consumer: Consumer, topics: set[str]) -> list[TopicPartition]:
    every = [
        TopicPartition(topic, p)
        for topic in topics
        for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions
    ]
    found: list[TopicPartition] = consumer.committed(every, timeout=10)
    return found
