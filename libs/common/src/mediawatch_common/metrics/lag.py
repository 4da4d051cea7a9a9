"""``mediawatch_consumer_lag_messages``: how far each consumer is behind, at scrape time.

A consumer registers a :data:`LagSource`; a scrape asks each source for its partitions. The
Kafka sources answer from what the client already knows (its positions and the high
watermarks that came with the last fetch, taken by the consuming thread as it polls), so a
scrape costs no round trip to the broker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaException, TopicPartition
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """Messages between a group's position on a partition and the partition's end."""

    group: str
    topic: str
    partition: int
    lag: int


LagSource = Callable[[], Iterable[PartitionLag]]


class ConsumerLag(Collector):
    """Collects the lag of every registered source when scraped."""

    def __init__(self) -> None:
        self._sources: dict[int, LagSource] = {}
        self._lock = threading.Lock()
        self._next = 0

    def track(self, source: LagSource) -> Callable[[], None]:
        """Report ``source``'s lag from now on; the returned function stops it."""
        with self._lock:
            key, self._next = self._next, self._next + 1
            self._sources[key] = source

        def untrack() -> None:
            with self._lock:
                self._sources.pop(key, None)

        return untrack

    def describe(self) -> list[Metric]:
        """Nothing to describe up front (the series depend on the assignments)."""
        return []

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "mediawatch_consumer_lag_messages",
            "Messages a consumer group is behind the end of a partition it is assigned.",
            labels=["group", "topic", "partition"],
        )
        with self._lock:
            sources = list(self._sources.values())
        for source in sources:
            try:
                lags = list(source())
            except Exception as exc:  # a consumer closing meanwhile: skip it this scrape
                log.debug("lag source failed", extra={"error": str(exc)})
                continue
            for item in lags:
                family.add_metric([item.group, item.topic, str(item.partition)], item.lag)
        yield family


class Assignment:
    """The partitions a consumer holds, kept from its rebalance callbacks (no client call)."""

    def __init__(self) -> None:
        self.partitions: frozenset[tuple[str, int]] = frozenset()

    def assigned(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """``on_assign``: add ``partitions``."""
        self.partitions = self.partitions | {(tp.topic, tp.partition) for tp in partitions}

    def revoked(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """``on_revoke`` and ``on_lost``: remove ``partitions``."""
        self.partitions = self.partitions - {(tp.topic, tp.partition) for tp in partitions}


Positions = Mapping[tuple[str, int], int]
"""The next offset to read, by (topic, partition)."""


def kafka_consumer_lag(
    consumer: Consumer,
    group: str,
    partitions: Iterable[tuple[str, int]],
    positions: Positions | None = None,
    committed: Positions | None = None,
) -> list[PartitionLag]:
    """The lag of ``consumer`` on ``partitions``, from its own client state.

    The position is the next offset the consumer hands out; the high watermark is the one
    the last fetch response carried (``cached=True``); both are read locally, so nothing is
    asked of the broker. Call it from the consuming thread only. ``positions`` replaces the
    client's positions for a consumer that stores its own (the projector's, in PostgreSQL);
    a partition missing from them counts from its first offset. ``committed`` (the group's
    committed offsets when the partitions were assigned) stands in for the client's position
    until the consumer has handed out a message of the partition. Partitions with no position
    or no fetch yet are left out.
    """
    wanted = [TopicPartition(topic, partition) for topic, partition in sorted(partitions)]
    if not wanted:
        return []
    if positions is None:
        wanted = consumer.position(wanted)
        for tp in wanted:
            if tp.offset < 0 and committed:
                tp.offset = committed.get((tp.topic, tp.partition), -1)
    else:
        for tp in wanted:
            tp.offset = positions.get((tp.topic, tp.partition), -1)
    lags = []
    for tp in wanted:
        low, high = consumer.get_watermark_offsets(tp, cached=True)
        # A partition without a stored position is read from its start.
        position = low if tp.offset < 0 and positions is not None else tp.offset
        if position >= 0 and high >= 0:
            lags.append(PartitionLag(group, tp.topic, tp.partition, max(0, high - position)))
    return lags


COMMITTED_TIMEOUT = 2.0
"""Seconds the consuming thread waits for a new assignment's committed offsets, once."""


class LagTracker:
    """The lag of one consumer: refreshed by the consuming thread, read by scrapes.

    Only the consuming thread talks to the client: a call from the scraping thread can block
    both while a rebalance is under way. Subscribe with :meth:`callbacks` (they keep the
    assignment), call :meth:`refresh` after each poll, and register the tracker with
    :meth:`ConsumerLag.track`.
    """

    def __init__(
        self,
        consumer: Consumer,
        group: str,
        on_assign: Callable[[Consumer, list[TopicPartition]], None] | None = None,
        every_seconds: float = 1.0,
        positions: Callable[[], Positions] | None = None,
    ) -> None:
        """``positions`` (default: the client's) gives the positions the lag is counted from."""
        self._consumer, self._group, self._on_assign = consumer, group, on_assign
        self._positions = positions
        self._every = every_seconds
        self.assignment = Assignment()
        self._lag: list[PartitionLag] = []
        self._committed: dict[tuple[str, int], int] = {}
        self._at = 0.0

    def callbacks(self) -> dict[str, Callable[[Consumer, list[TopicPartition]], None]]:
        """``on_assign``, ``on_revoke`` and ``on_lost`` for ``Consumer.subscribe``."""
        revoked = self.assignment.revoked
        return {"on_assign": self._assigned, "on_revoke": revoked, "on_lost": revoked}

    def refresh(self) -> None:
        """Take the lag from the client's own state, at most once per ``every_seconds``."""
        now = time.monotonic()
        if now - self._at >= self._every:
            self._at = now
            stored = self._positions() if self._positions else None
            partitions = self.assignment.partitions
            committed = self._committed_of(partitions) if stored is None else None
            self._lag = kafka_consumer_lag(
                self._consumer, self._group, partitions, stored, committed
            )

    def _committed_of(self, partitions: frozenset[tuple[str, int]]) -> Positions:
        """The committed offsets of ``partitions``, asked once per assignment (one round trip
        to the broker; a partition whose answer failed is not asked again)."""
        known = self._committed
        for key in set(known) - partitions:
            del known[key]
        missing = sorted(partitions - set(known))
        if missing:
            wanted = [TopicPartition(topic, partition) for topic, partition in missing]
            known.update(dict.fromkeys(missing, -1))
            try:
                for tp in self._consumer.committed(wanted, timeout=COMMITTED_TIMEOUT):
                    known[(tp.topic, tp.partition)] = tp.offset
            except KafkaException as exc:
                log.debug("committed offsets unknown", extra={"error": str(exc)})
        return known

    def __call__(self) -> list[PartitionLag]:
        """The lag as of the last refresh (any thread)."""
        return self._lag

    def _assigned(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.assignment.assigned(consumer, partitions)
        if self._on_assign is not None:
            self._on_assign(consumer, partitions)


CONSUMER_LAG = ConsumerLag()
"""The process's lag collector, on the default registry."""
REGISTRY.register(CONSUMER_LAG)
