"""Faust's Kafka transport: a shorter fetch wait, and no skipped messages after a takeover.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting to change it.
When Faust resumes a paused partition while a fetch is already waiting at the broker, the
resumed partition's messages are only fetched once that request returns: the stage batches
reached the agent up to 1.5 s after the ingest had sent them, which made most of the
end-to-end time of a burst (docs/aggregator.md). A short wait bounds that delay; an idle
consumer then asks the broker a few times a second, which costs nothing worth measuring.

While a rebalance or a table recovery stops the flow, Faust drops the messages it has
already fetched and relies on seeking back to the committed offsets. aiokafka's
``seek_to_committed`` only seeks where a committed offset above 0 exists, so a partition
taken over from a worker that died before its first commit kept its fetch position: the
messages fetched meanwhile were never delivered, and the stage batches and progress
reports in them were lost (a window then closed without the rows, or never closed).
:func:`seek_to_committed` rewinds such partitions to their first offset, as
``auto_offset_reset="earliest"`` promises; replays are skipped by the panes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, cast

import aiokafka
import faust
from aiokafka import TopicPartition
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, TransportT

FETCH_MAX_WAIT_MS = 100


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


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: driver.Transport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by aiokafka when the consumer starts and creates its fetcher.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer

    async def seek_to_committed(self) -> Mapping[TP, int]:
        # Changelog partitions are positioned by the table recovery, not here.
        changelogs = self.consumer.app.tables.changelog_topics
        consumer = self._ensure_consumer()
        found = await self.call_thread(
            seek_to_committed, consumer, lambda tp: tp.topic in changelogs
        )
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
