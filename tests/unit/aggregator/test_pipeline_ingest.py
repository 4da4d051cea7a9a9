"""The ingest's progress reports (which partitions count as read to their end, and when), and
its stop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from mediawatch_aggregator.reading.event_decoding import RowDecoder
from mediawatch_aggregator.reading.pipeline_ingest import Batch, Ingest, Tracker
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.events import Producer, Stage, StageCompleted, encode_event

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


@dataclass
class ReadingConsumer:
    """What the read loop calls on an aiokafka consumer, over batches given in advance."""

    batches: list[dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]]
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def getmany(
        self, timeout_ms: int, max_records: int
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        self.calls.append("getmany")
        return self.batches.pop(0) if self.batches else {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.calls.append("commit")
        self.commits.append(offsets)

    def assignment(self) -> set[TopicPartition]:
        return set()


def _completions(partition: int, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    at = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    records = []
    for offset in range(count):
        event = StageCompleted(
            producer=Producer.current("ingest-test"),
            event_time=at,
            session_id=f"s-{offset}",
            user_id="u",
            stage=Stage.UPLOAD,
            started_at=at,
            success=True,
            duration_seconds=1.0,
        )
        value = encode_event(event)
        records.append(
            ConsumerRecord(TOPIC, partition, offset, 0, 0, None, value, None, 0, len(value), [])
        )
    return records


def test_a_stop_during_a_batch_publishes_and_commits_it_then_leaves_the_group() -> None:
    tp = TopicPartition(TOPIC, 0)
    consumer = ReadingConsumer([{tp: _completions(0, 3)}, {tp: _completions(0, 5)}])
    published: list[Batch] = []

    async def sink(batch: Batch) -> None:
        published.append(batch)
        ingest.stop()  # SIGTERM arrives while the batch is being acknowledged

    async def report(progress: Progress) -> None:
        pass

    ingest = Ingest(
        cast(AIOKafkaConsumer, consumer),
        RowDecoder(SchemaRegistry()),
        sink,
        report,
        5000,
        0.2,
        report_seconds=1.0,
    )
    asyncio.run(asyncio.wait_for(ingest.run(), timeout=5))
    assert [len(b.rows["UPLOAD"]) for b in published] == [3]
    assert consumer.commits == [{tp: 3}]  # the batch in hand, and nothing read after it
    assert consumer.calls == ["start", "getmany", "commit", "stop"]
