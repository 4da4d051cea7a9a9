"""What the aggregator writes to Kafka: stage batches and progress reports to its internal
topic, dead letters, and window results as ``WindowAggregated`` events.

Each method sends its messages through Faust's producer and awaits their acknowledgements
once, so a batch or a closing pass counts as done only when the brokers hold all of it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import faust
from aiokafka import ConsumerRecord
from confluent_kafka import Message

from mediawatch_aggregator.metrics import AggregatorMetrics
from mediawatch_aggregator.reading.pipeline_ingest import Batch
from mediawatch_aggregator.runtime.state_table import stage_partition
from mediawatch_aggregator.windowing.completion_rows import pack_progress, pack_rows
from mediawatch_aggregator.windowing.stage_aggregator import WindowResult
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_aggregator.windowing.window_records import window_record
from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import Producer
from mediawatch_common.kafka import Topics, deadletter_headers
from mediawatch_common.metrics import DEAD_LETTERS

ROWS_PER_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class _Origin:
    """What ``deadletter_headers`` reads from a message, for an aiokafka record."""

    record: ConsumerRecord[Any, Any]

    def topic(self) -> str:
        return str(self.record.topic)

    def partition(self) -> int:
        return int(self.record.partition)

    def offset(self) -> int:
        return int(self.record.offset)


class Publisher:
    """Sends the aggregator's messages through ``app``'s producer.

    ``batches_name`` is the internal topic of ``partitions`` partitions; ``ingest_group``
    names the consumer in a dead letter's headers; ``metrics`` follow the windows published.
    """

    def __init__(
        self,
        app: faust.App,
        batches_name: str,
        partitions: int,
        topics: Topics,
        codec: AvroCodec,
        metrics: AggregatorMetrics,
        ingest_group: str,
    ) -> None:
        self._app, self._batches_name, self._partitions = app, batches_name, partitions
        self._topics, self._codec, self._metrics = topics, codec, metrics
        self._ingest_group = ingest_group
        self._producer_record = dataclasses.asdict(Producer.current("metrics-aggregator"))

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> Awaitable[Any]:
        """Sends one message; returns the future of its acknowledgement."""
        # Faust's producer directly: a topic's send() adds futures, callbacks and sensors per
        # message, which cost more than the encoding of a window result.
        return await self._app.producer.send(topic, key, value, partition, None, headers)

    async def sink(self, batch: Batch) -> None:
        """Publishes a read batch (rows per stage, dead letters) and awaits the acks."""
        pending = []
        for stage, rows in batch.rows.items():
            for i in range(0, len(rows), ROWS_PER_MESSAGE):
                value = pack_rows(stage, rows[i : i + ROWS_PER_MESSAGE])
                partition = stage_partition(stage, self._partitions)
                pending.append(
                    await self.send(self._batches_name, stage.encode(), value, partition)
                )
        for record, reason in batch.dead:
            headers = deadletter_headers(cast(Message, _Origin(record)), reason, self._ingest_group)
            value = record.value or b""
            deadletter = self._topics.deadletter.name
            pending.append(await self.send(deadletter, record.key, value, None, headers))
            DEAD_LETTERS.count(str(record.topic), f"DecodeError: {reason}")
        for future in pending:
            await future

    async def report(self, progress: Progress) -> None:
        """Publishes a progress report to every internal partition and awaits the acks."""
        # Every internal partition gets the report: each worker's agent needs the clock.
        value = pack_progress(progress)
        pending = [
            await self.send(self._batches_name, b"progress", value, partition)
            for partition in range(self._partitions)
        ]
        for future in pending:
            await future

    async def publish(self, results: list[WindowResult]) -> None:
        """Publishes window results as WindowAggregated events and awaits the acks."""
        # Each send only appends to the producer's batches; the acks are awaited once.
        pending, now = [], datetime.now(UTC)
        windows = self._topics.windows.name
        records = []
        for result in results:
            record = window_record(result, self._producer_record, now)
            records.append(record)
            # Built by window_record with aware datetimes and in-range ints: no walk needed.
            value = self._codec.encode("WindowAggregated", record, check=False)
            pending.append(await self.send(windows, result.stage.encode(), value))
        await asyncio.gather(*pending)
        for result, record in zip(results, records, strict=True):
            self._metrics.window(result.stage, result.spec.label, record)
