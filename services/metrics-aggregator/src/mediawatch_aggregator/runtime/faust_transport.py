"""The Faust app and its aiokafka transport: a 100 ms fetch wait, rewinds after a takeover.

Faust's worker consumer waits up to 1.5 s per fetch, which delayed resumed partitions;
aiokafka leaves partitions without a committed offset where they were fetched to, which lost
messages after a takeover; and changelog records fetched while the flow was stopped were
dropped without a seek back, which hung the table recovery (docs/design-notes/aggregator.md).
The private APIs this module overrides are listed in docs/aggregator.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar, cast

import aiokafka
import faust
from aiokafka import TopicPartition
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, TransportT

from mediawatch_aggregator.runtime.kafka_auth import faust_credentials
from mediawatch_aggregator.settings import AggregatorSettings
from mediawatch_common.settings import Settings

FETCH_MAX_WAIT_MS = 100
log = logging.getLogger(__name__)


async def seek_to_committed(
    consumer: aiokafka.AIOKafkaConsumer, skip: Callable[[TopicPartition], bool]
) -> dict[TopicPartition, int | None]:
    """Seeks every assigned partition to its committed offset, and those without one (or
    with 0) to their first offset, except the partitions ``skip`` names.

    Returns:
        The committed offsets, as aiokafka's ``seek_to_committed`` returns them.
    """
    committed: dict[TopicPartition, int | None] = await consumer.seek_to_committed()
    rewind = [tp for tp, offset in committed.items() if not offset and not skip(tp)]
    if rewind:
        await consumer.seek_to_beginning(*rewind)
    return committed


def recovery_rewinds(
    changelogs: Collection[TP], reading: Mapping[TP, int | None], in_recovery: bool
) -> dict[TP, int]:
    """Where a seek back after dropped records sends the assigned ``changelogs``.

    ``reading`` holds the last offset the table recovery applied (-1: none) of each changelog
    partition it reads. While it reads them, such a partition goes back to that offset, as
    the recovery seeks it itself (an offset applied again is skipped by the recovery). A
    partition whose offset is not known yet (None) is left to the recovery's own seek.

    Returns:
        The offset to seek each such partition to; empty outside a recovery.
    """
    if not in_recovery:
        return {}
    return {tp: max(at, 0) for tp in changelogs if (at := reading.get(tp)) is not None}


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: driver.Transport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by aiokafka when the consumer starts and creates its fetcher.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer

    async def seek_to_committed(self) -> Mapping[TP, int]:
        # Faust seeks back here after dropping what it fetched while the flow was stopped.
        # Changelog partitions have no commits: the table recovery positions them, and while
        # it reads them they go back to what it applied, or the dropped records never come.
        tables = self.consumer.app.tables
        changelogs = tables.changelog_topics
        consumer = self._ensure_consumer()
        found = await self.call_thread(
            seek_to_committed, consumer, lambda tp: tp.topic in changelogs
        )
        recovery = cast(Any, tables).recovery
        reading = {**recovery.active_offsets, **recovery.standby_offsets}
        ours = [tp for tp in found if tp.topic in changelogs]
        rewinds = recovery_rewinds(ours, reading, recovery.in_recovery)
        if rewinds:
            where = {f"{tp.topic}[{tp.partition}]": at for tp, at in rewinds.items()}
            log.info("changelog records dropped while stopped: seeking back", extra={"at": where})
            await self.seek_wait(rewinds)
        return cast(Mapping[TP, int], found)


class _Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(driver.Transport):
    """The aiokafka transport whose worker consumer waits at most 100 ms per fetch."""

    Consumer: ClassVar[type[driver.Consumer]] = _Consumer


class AggregatorApp(faust.App):
    """A Faust app on :class:`Transport`."""

    def _new_transport(self) -> TransportT:
        return Transport(self.conf.broker_consumer, self)


def aggregator_app(settings: Settings, agg: AggregatorSettings) -> AggregatorApp:
    """The aggregator's Faust app, configured from the settings."""
    kafka = settings.kafka
    return AggregatorApp(
        agg.app_id,
        broker=[f"kafka://{host}" for host in kafka.bootstrap_servers.split(",")],
        store=agg.store,
        datadir=str(agg.state_dir),
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        table_standby_replicas=0,
        topic_partitions=agg.partitions,
        topic_replication_factor=kafka.replication_factor,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        broker_session_timeout=agg.session_timeout_seconds,
        broker_heartbeat_interval=agg.session_timeout_seconds / 3,
        broker_credentials=faust_credentials(kafka),
    )
