"""The worker consumer's seek back to committed offsets, against the real broker.

Faust drops the messages it fetched while a rebalance or a table recovery stopped the flow,
then seeks back to the committed offsets. A partition without a committed offset must go
back to its first offset, or the dropped messages are never delivered.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from confluent_kafka import Consumer
from confluent_kafka import Producer as KafkaProducer
from confluent_kafka import TopicPartition as KafkaPartition
from confluent_kafka.admin import AdminClient, NewTopic

from mediawatch_aggregator.runtime.faust_transport import seek_to_committed

pytestmark = pytest.mark.integration

MESSAGES = 5


def _topic(bootstrap: str, admin: AdminClient, partitions: int) -> str:
    name = f"test.transport.{uuid.uuid4().hex[:8]}"
    for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        future.result(30)
    producer = KafkaProducer({"bootstrap.servers": bootstrap})
    for partition in range(partitions):
        for i in range(MESSAGES):
            producer.produce(name, value=f"{partition}-{i}".encode(), partition=partition)
    assert producer.flush(30) == 0
    return name


def _commit(bootstrap: str, group: str, topic: str, partition: int, offset: int) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        consumer.commit(offsets=[KafkaPartition(topic, partition, offset)], asynchronous=False)
    finally:
        consumer.close()


async def _positions_after_reading_all_and_seeking(
    bootstrap: str, group: str, topic: str, skipped: set[int]
) -> dict[int, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(3)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        before = {tp.partition: await consumer.position(tp) for tp in tps}
        assert before == dict.fromkeys(range(3), MESSAGES), before
        await seek_to_committed(consumer, lambda tp: tp.partition in skipped)
        return {tp.partition: await consumer.position(tp) for tp in tps}
    finally:
        await consumer.stop()


def test_partitions_without_a_committed_offset_go_back_to_their_first_offset(
    bootstrap: str, admin: AdminClient
) -> None:
    topic = _topic(bootstrap, admin, 3)
    group = f"test-transport-{uuid.uuid4().hex[:8]}"
    try:
        _commit(bootstrap, group, topic, 0, 3)  # partition 1: no commit; 2: no commit, skipped
        positions = asyncio.run(
            _positions_after_reading_all_and_seeking(bootstrap, group, topic, skipped={2})
        )
    finally:
        for future in admin.delete_topics([topic], operation_timeout=30).values():
            future.result()
    assert positions == {0: 3, 1: 0, 2: MESSAGES}
