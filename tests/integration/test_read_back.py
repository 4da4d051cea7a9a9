"""Reading a topic back from given offsets: what a notifier starting a term reads as backlog."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka.read_back import read_positions

pytestmark = pytest.mark.integration


def test_since_starts_given_partitions_there_or_at_the_first_message_kept(
    bootstrap: str, admin: AdminClient, new_topic: Callable[..., str]
) -> None:
    topic = new_topic("readback", partitions=3)
    producer = Producer({"bootstrap.servers": bootstrap})
    for partition, count in ((0, 4), (1, 3), (2, 2)):
        for n in range(count):
            producer.produce(topic, f"{partition}-{n}".encode(), partition=partition)
    assert producer.flush(30) == 0
    (done,) = admin.delete_records([TopicPartition(topic, 1, 2)]).values()
    done.result(30)  # retention as if it had deleted offsets 0 and 1 of partition 1

    read = read_positions(bootstrap, topic, bytes, timeout=30, since={0: 2, 1: 1})  # type: ignore[arg-type]

    assert sorted((p, o, e) for p, o, e in read) == [
        (0, 2, b"0-2"),
        (0, 3, b"0-3"),
        (1, 2, b"1-2"),
        (2, 0, b"2-0"),
        (2, 1, b"2-1"),
    ]
