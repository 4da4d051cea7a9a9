"""The ingest's progress reports: which partitions count as read to their end, and when."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from mediawatch_aggregator.reading.pipeline_ingest import Batch, Ingest, Tracker
from mediawatch_aggregator.windowing.watermark import Progress

pytestmark = pytest.mark.unit

TOPIC = "pipeline"


@dataclass
class FakeConsumer:
    """What the report reads from an aiokafka consumer: positions, high-water marks, polls."""

    positions: dict[int, int]
    marks: dict[int, int | None]
    polled_ms: dict[int, int]
    partitions: int = 3
    sent: list[Progress] = field(default_factory=list)

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(TOPIC, p) for p in self.positions}

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.marks[tp.partition]

    def last_poll_timestamp(self, tp: TopicPartition) -> int:
        return self.polled_ms[tp.partition]

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp.partition]

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions))


def ingest_over(fake: FakeConsumer, now: list[float]) -> Ingest:
    async def sink(batch: Batch) -> None:
        raise AssertionError("no batch in these tests")

    async def publish(progress: Progress) -> None:
        fake.sent.append(progress)

    return Ingest(
        cast(AIOKafkaConsumer, fake),
        cast(Any, None),
        sink,
        publish,
        5000,
        0.2,
        report_seconds=1.0,
        clock=lambda: now[0],
    )


def test_only_partitions_read_to_their_end_are_confirmed() -> None:
    fake = FakeConsumer(
        positions={0: 10, 1: 5, 2: 0},
        marks={0: 10, 1: 9, 2: None},  # 1 has unread data; 2 had no fetch response yet
        polled_ms={0: 1_000, 1: 1_000, 2: 1_000},
    )
    now = [100.0]
    ingest = ingest_over(fake, now)
    asyncio.run(ingest.report_progress())
    assert fake.sent == [Progress(3, {}, {0: 1_000_000})]

    fake.positions[1], fake.polled_ms[1] = 9, 1_500  # partition 1 caught up
    asyncio.run(ingest.report_progress())
    assert len(fake.sent) == 1  # within report_seconds of the last report
    now[0] += 1.0
    asyncio.run(ingest.report_progress())
    assert fake.sent[-1] == Progress(3, {}, {0: 1_000_000, 1: 1_500_000})


def test_nothing_is_sent_when_nothing_changed() -> None:
    fake = FakeConsumer(positions={0: 4}, marks={0: 9}, polled_ms={0: 2_000}, partitions=1)
    now = [0.0]
    ingest = ingest_over(fake, now)
    for _ in range(3):
        asyncio.run(ingest.report_progress())
        now[0] += 5
    assert fake.sent == []  # never read to its end, and no event read: nothing to tell


def test_tracker_keeps_the_highest_facts() -> None:
    tracker = Tracker(partitions=2)
    tracker.read({0: 50, 1: 20})
    tracker.read({0: 40})
    tracker.caught_up(1, 300)
    tracker.caught_up(1, 200)
    assert tracker.report() == Progress(2, {0: 50, 1: 20}, {1: 300})
    assert not tracker.changed
    tracker.read({1: 10})
    assert not tracker.changed
