"""Faust's Kafka transport with a shorter fetch wait for the agents' consumer.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting to change it.
When Faust resumes a paused partition while a fetch is already waiting at the broker, the
resumed partition's messages are only fetched once that request returns: the stage batches
reached the agent up to 1.5 s after the ingest had sent them, which made most of the
end-to-end time of a burst (docs/aggregator.md). A short wait bounds that delay; an idle
consumer then asks the broker a few times a second, which costs nothing worth measuring.
"""

from __future__ import annotations

from typing import ClassVar

import aiokafka
import faust
from faust.transport.drivers import aiokafka as driver
from faust.types import TransportT

FETCH_MAX_WAIT_MS = 100


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: driver.Transport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by aiokafka when the consumer starts and creates its fetcher.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


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
