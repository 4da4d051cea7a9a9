"""``mediawatch_consumer_lag_messages``: how far each consumer is behind, at scrape time.

A consumer registers a :data:`LagSource`; a scrape asks each source for its partitions. The
Kafka sources answer from what the client already knows (its positions and the high
watermarks that came with the last fetch, taken by the consuming thread as it polls), so a
scrape costs no round trip to the broker. A paused partition is not fetched, so its cached
end stops moving: for those the consuming thread asks the broker, every few seconds and for
a bounded time.
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
    ends: Positions | None = None,
) -> list[PartitionLag]:
    """The lag of ``consumer`` on ``partitions``, from its own client state.

    The position is the next offset the consumer hands out; the high watermark is the one
    the last fetch response carried (``cached=True``); both are read locally, so nothing is
    asked of the broker. Call it from the consuming thread only. ``positions`` replaces the
    client's positions for a consumer that stores its own (the projector's, in PostgreSQL);
    a partition missing from them counts from its first offset. ``committed`` (the group's
    committed offsets when the partitions were assigned) stands in for the client's position
    until the consumer has handed out a message of the partition. ``ends`` are high
    watermarks learnt otherwise (from the broker, for paused partitions); the later of them and
    the cached one counts. Partitions with no position or no known end are left out.
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
        high = max(high, (ends or {}).get((tp.topic, tp.partition), -1))
        # A partition without a stored position is read from its start.
        position = low if tp.offset < 0 and positions is not None else tp.offset
        if position >= 0 and high >= 0:
            lags.append(PartitionLag(group, tp.topic, tp.partition, max(0, high - position)))
    return lags


COMMITTED_TIMEOUT = 2.0
"""Seconds the consuming thread waits for a new assignment's committed offsets, once."""


ENDS_EVERY = 5.0
"""Seconds between two askings of the broker for the ends of paused partitions."""
ENDS_TIMEOUT = 0.5
"""Seconds one asking may keep the consuming thread waiting, for all partitions together."""


def ask_order(
    paused: Iterable[tuple[str, int]], answered: Mapping[tuple[str, int], float]
) -> list[tuple[str, int]]:
    """The order to ask for ``paused`` partitions' ends: never answered first, then the
    longest ago (``answered``: when each last was), so a short budget still reaches all."""
    return sorted(paused, key=lambda key: (answered.get(key, float("-inf")), key))


def broker_ends(
    consumer: Consumer, partitions: Iterable[tuple[str, int]], budget: float
) -> dict[tuple[str, int], int]:
    """The high watermarks the broker gives for ``partitions``, asked in turn for at most
    ``budget`` seconds in all; the first failure or timeout ends the asking."""
    deadline = time.monotonic() + budget
    ends: dict[tuple[str, int], int] = {}
    for topic, partition in partitions:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            _, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=left, cached=False
            )
        except KafkaException as exc:
            log.debug("partition end unknown", extra={"topic": topic, "error": str(exc)})
            break
        ends[(topic, partition)] = high
    return ends


class LagTracker:
    """The lag of one consumer: refreshed by the consuming thread, read by scrapes.

    Only the consuming thread talks to the client: a call from the scraping thread can block
    both while a rebalance is under way. Subscribe with :meth:`callbacks` (they keep the
    assignment), call :meth:`refresh` after each poll, and register the tracker with
    :meth:`ConsumerLag.track`. Tell it of the partitions the consumer pauses
    (:meth:`paused`, :meth:`resumed`): their ends are asked of the broker, at most once per
    ``ends_every`` seconds and for at most ``ends_timeout`` seconds.
    """

    def __init__(
        self,
        consumer: Consumer,
        group: str,
        on_assign: Callable[[Consumer, list[TopicPartition]], None] | None = None,
        every_seconds: float = 1.0,
        positions: Callable[[], Positions] | None = None,
        ends_every: float = ENDS_EVERY,
        ends_timeout: float = ENDS_TIMEOUT,
    ) -> None:
        """``positions`` (default: the client's) gives the positions the lag is counted from."""
        self._consumer, self._group, self._on_assign = consumer, group, on_assign
        self._positions = positions
        self._every = every_seconds
        self.assignment = Assignment()
        self._lag: list[PartitionLag] = []
        self._committed: dict[tuple[str, int], int] = {}
        self._at = 0.0
        self._ends_every, self._ends_timeout = ends_every, ends_timeout
        self._paused: frozenset[tuple[str, int]] = frozenset()
        self._ends: dict[tuple[str, int], tuple[int, float]] = {}
        self._asked = float("-inf")

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
            ends = self._paused_ends(partitions, now)
            self._lag = kafka_consumer_lag(
                self._consumer, self._group, partitions, stored, committed, ends
            )

    def paused(self, partitions: Iterable[TopicPartition]) -> None:
        """The consumer paused ``partitions``: it fetches nothing of them until resumed."""
        self._paused = self._paused | {(tp.topic, tp.partition) for tp in partitions}

    def resumed(self, partitions: Iterable[TopicPartition]) -> None:
        """The consumer resumed ``partitions``: their fetches bring their ends again."""
        self._paused = self._paused - {(tp.topic, tp.partition) for tp in partitions}

    def _paused_ends(self, partitions: frozenset[tuple[str, int]], now: float) -> Positions:
        """The ends of the paused ``partitions`` the broker gave last (asked again when due)."""
        paused = self._paused & partitions
        for key in set(self._ends) - paused:
            del self._ends[key]
        if paused and now - self._asked >= self._ends_every:
            self._asked = now
            answered = {key: at for key, (_, at) in self._ends.items()}
            order = ask_order(paused, answered)
            for key, high in broker_ends(self._consumer, order, self._ends_timeout).items():
                self._ends[key] = (high, now)
        return {key: high for key, (high, _) in self._ends.items()}

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
