"""The Faust application: batch ingest -> stage batches topic -> aggregating agent -> windows.

Wiring only; the logic lives in :mod:`~mediawatch_aggregator.windowing` (windows) and
:mod:`~mediawatch_aggregator.reading` (reading), and what the handlers write to Kafka is sent
by :class:`~mediawatch_aggregator.runtime.publishing.Publisher`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import timedelta
from typing import Any, cast

import faust
from aiokafka import AIOKafkaConsumer

from mediawatch_aggregator.metrics import AggregatorMetrics
from mediawatch_aggregator.reading.event_decoding import RowDecoder
from mediawatch_aggregator.reading.pipeline_ingest import Ingest
from mediawatch_aggregator.runtime.faust_transport import aggregator_app
from mediawatch_aggregator.runtime.internal_topics import (
    BATCHES_RETENTION_MS,
    STATE_TABLE,
    batches_topic,
)
from mediawatch_aggregator.runtime.kafka_auth import aiokafka_security
from mediawatch_aggregator.runtime.publishing import Publisher
from mediawatch_aggregator.runtime.state_table import stage_partition, state_table
from mediawatch_aggregator.settings import AggregatorSettings
from mediawatch_aggregator.windowing.closing_pass import collect, finish
from mediawatch_aggregator.windowing.completion_rows import unpack
from mediawatch_aggregator.windowing.stage_aggregator import StageAggregator
from mediawatch_aggregator.windowing.watermark import Progress
from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import Stage
from mediawatch_common.kafka import Topics
from mediawatch_common.kafka.producer import METADATA_REFRESH_MS
from mediawatch_common.metrics import CONSUMER_LAG
from mediawatch_common.runtime import quiet_gc
from mediawatch_common.settings import Settings

log = logging.getLogger(__name__)
perf = logging.getLogger("mediawatch.performance.aggregator")
STATUS_SECONDS = 10.0


class FaustAggregator:
    """The Faust app with its topics, table, ingest task, aggregating agent and closing timer.

    The methods are the app's handlers; what they share (the aggregator, the agent's read
    counts, when open windows and status were last reported, the running ingest) lives in
    attributes. :meth:`stop_intake` is the first step of a stop, before Faust's own.
    """

    def __init__(
        self,
        settings: Settings,
        agg: AggregatorSettings,
        topics: Topics,
        codec: AvroCodec,
        metrics: AggregatorMetrics | None = None,
    ) -> None:
        """Creates the Faust app (``self.app``) and registers its task, agent and timer;
        ``metrics`` (default: registered nowhere) follow what it reads and closes."""
        self._settings, self._agg, self._topics, self._codec = settings, agg, topics, codec
        self._metrics = metrics or AggregatorMetrics(registry=None)
        self.app = aggregator_app(settings, agg)
        batches = self.app.topic(
            batches_topic(agg.app_id),
            partitions=agg.partitions,
            internal=True,
            retention=timedelta(milliseconds=BATCHES_RETENTION_MS),
            key_type=bytes,
            value_type=bytes,
        )
        self._batches_name = batches.get_topic_name()
        table = state_table(self.app, STATE_TABLE, agg.partitions)
        self._aggregator = StageAggregator(agg.aggregation(), table)
        self._stages_of: dict[int, list[str]] = {p: [] for p in range(agg.partitions)}
        for each in Stage:
            self._stages_of[stage_partition(each.value, agg.partitions)].append(each.value)
        self._ingest_group = f"{agg.app_id}-ingest"
        self._publisher = Publisher(
            self.app,
            self._batches_name,
            agg.partitions,
            topics,
            codec,
            self._metrics,
            self._ingest_group,
        )
        self._read: Counter[int] = Counter()
        self._last_update, self._last_status = 0.0, time.monotonic()
        self._ingest: tuple[Ingest, asyncio.Task[None]] | None = None
        self._stopping = False
        self._passing = asyncio.Lock()  # one closing pass at a time: the timer's or the last
        self.app.task(self.ingest)
        self.app.agent(batches, concurrency=1)(self.aggregate)
        self.app.timer(interval=agg.tick_seconds)(self.close_windows)

    async def ingest(self) -> None:
        """The app's task: reads the pipeline topic in batches until stopped or cancelled."""
        if self._stopping:
            return
        agg, kafka = self._agg, self._settings.kafka
        consumer = AIOKafkaConsumer(
            self._topics.pipeline.name,
            bootstrap_servers=kafka.bootstrap_servers,
            group_id=self._ingest_group,
            client_id=f"{kafka.client_id}-aggregator-ingest",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
            metadata_max_age_ms=METADATA_REFRESH_MS,  # partitions added to the pipeline topic
            **aiokafka_security(kafka),
        )
        decoder = RowDecoder(self._codec.registry)
        quiet_gc()  # the worker has started: what exists now lives as long as the process
        ingest = Ingest(
            consumer,
            decoder,
            self._publisher.sink,
            self._publisher.report,
            agg.batch_size,
            agg.batch_timeout_seconds,
            agg.tick_seconds,
            group=self._ingest_group,
            on_read=self._metrics.read,
        )
        untrack = CONSUMER_LAG.track(ingest.lag)
        self._ingest = (ingest, cast("asyncio.Task[None]", asyncio.current_task()))
        try:
            await ingest.run()
        finally:
            untrack()

    async def aggregate(self, stream: faust.StreamT[bytes]) -> None:
        """The agent: applies stage batches and progress reports to the aggregator."""
        aggregator = self._aggregator
        async for event in stream.events():
            self._read[event.message.partition] += 1
            try:
                message = unpack(event.value)
            except (ValueError, KeyError, TypeError) as exc:
                log.error("unreadable stage batch skipped", extra={"error": str(exc)})
                continue
            if isinstance(message, Progress):
                # The stages of this partition only: their rows came in order before it.
                for stage in self._stages_of[event.message.partition]:
                    aggregator.observe(stage, message)
                continue
            stage, rows = message
            applied = aggregator.apply(stage, rows)
            if applied.late or applied.expired:
                self._metrics.not_counted(stage, applied.late, applied.expired)
                log.warning(
                    "late events not counted in their windows",
                    extra={"stage": stage, "late": applied.late, "expired": applied.expired},
                )

    def status(self, stages: list[str]) -> None:
        """Logs how far each owned stage's clock is behind the wall clock, and what was read."""
        now = time.time() * 1_000_000
        clocks = {stage: self._aggregator.clock(stage) for stage in stages}
        lag = {s: None if c is None else round((now - c) / 1e6, 1) for s, c in clocks.items()}
        counts = {str(partition): n for partition, n in sorted(self._read.items())}
        log.info("clock status", extra={"clock_lag_seconds": lag, "read_by_partition": counts})
        self._read.clear()

    def owned_stages(self) -> list[str]:
        """The stages of the internal partitions this worker is assigned."""
        actives = self.app.assignor.assigned_actives()
        owned = {tp.partition for tp in actives if tp.topic == self._batches_name}
        return [stage for partition in sorted(owned) for stage in self._stages_of[partition]]

    async def stop_intake(self, seconds: float) -> None:
        """Stops reading the pipeline topic and the closing timer, then runs a last closing pass.

        The ingest publishes and commits the batch in hand and leaves its group; the timer's
        pass in flight finishes; the last pass publishes the due closings and every changed
        open window (a pass that fails is left to the next worker: the table still holds its
        windows). Faust's stop then commits what the agent applied.

        Raises:
            TimeoutError: When that took more than ``seconds`` (the brokers do not answer).
        """
        self._stopping = True
        async with asyncio.timeout(seconds):
            if self._ingest is not None:
                ingest, task = self._ingest
                ingest.stop()
                await asyncio.wait({task})  # ends with the task, whether it failed or not
            async with self._passing:
                try:
                    await self._closing_pass(update=True)
                except Exception as exc:  # the stop goes on: nothing of the pass was committed
                    log.error("last closing pass failed", extra={"error": repr(exc)})

    async def close_windows(self) -> None:
        """The timer: one closing pass over the owned stages (none during a rebalance)."""
        if self._stopping:
            return
        update = time.monotonic() - self._last_update >= self._agg.update_interval_seconds
        if update:
            self._last_update = time.monotonic()
        async with self._passing:
            await self._closing_pass(update)

    async def _closing_pass(self, update: bool) -> None:
        app = self.app
        if app.rebalancing or not cast(Any, app.tables).recovery.completed.is_set():
            return
        began = time.perf_counter()
        stages = self.owned_stages()
        if time.monotonic() - self._last_status >= STATUS_SECONDS:
            self._last_status = time.monotonic()
            self.status(stages)
        batch = collect(self._aggregator, stages, update)
        await self._publisher.publish(batch.results)
        finish(self._aggregator, batch)
        if batch.results:
            perf.info(
                "closing pass",
                extra={
                    "published": len(batch.results),
                    "closed": batch.closed,
                    "seconds": round(time.perf_counter() - began, 3),
                },
            )
