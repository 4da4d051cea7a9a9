"""An exclusive role among several instances, held through Kafka's consumer group protocol.

Every instance of a role (the alerter, the notifier) joins one consumer group on a topic of
one partition, on which nothing is ever written. The group gives that partition to exactly
one live member: that member holds the lease and does the work; the others stand by. When
the holder dies or stalls past ``session.timeout.ms``, the group gives the partition to a
standby. The assignor is ``cooperative-sticky``, so a standby that joins does not take the
partition from a live holder.

A stalled holder (stopped, paused by its host) may still believe it holds the lease when it
runs again: :meth:`Lease.held` therefore gives the lease up by itself when it was not asked
for longer than the session timeout, and what a holder writes must be fenced on the broker
too (the alerter's transactions, the notifier's group-checked commits).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka.connection import Connection, client_properties, connection_config
from mediawatch_common.kafka.topics import DAY_MS, TopicSpec, create_missing_topics, new_topics
from mediawatch_common.settings import KafkaSettings

log = logging.getLogger(__name__)

LEASE_PARTITION = 0


def lease_topic(prefix: str) -> TopicSpec:
    """The topic whose one partition is the lease of every active/standby role (one consumer
    group per role). Nothing is written to it; services create it at start when missing."""
    return TopicSpec(
        f"{prefix}.leases",
        1,
        DAY_MS,
        "none",
        (),
        "Leases of the active/standby roles: a consumer group per role, nothing written.",
    )


class Lease:
    """Membership of a role's lease group; :meth:`held` tells whether this instance leads."""

    def __init__(
        self,
        connection: Connection,
        topic: str,
        group_id: str,
        session_timeout_ms: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.group_id = group_id
        self._session = session_timeout_ms / 1000
        self._monotonic = monotonic
        self._holding = False
        self._last_asked: float | None = None
        self._lock = threading.Lock()
        self._consumer = Consumer(
            {
                **client_properties(connection),
                "group.id": group_id,
                # Names the holder in the group's description (kafka-consumer-groups --describe).
                "client.id": f"{group_id}@{socket.gethostname()}:{os.getpid()}",
                "enable.auto.commit": False,
                "auto.offset.reset": "latest",
                "partition.assignment.strategy": "cooperative-sticky",
                "session.timeout.ms": session_timeout_ms,
                "heartbeat.interval.ms": max(100, session_timeout_ms // 5),
            }
        )
        self._topic = topic
        self._subscribe()

    def held(self) -> bool:
        """Whether this instance holds the lease now (serves the group's callbacks).

        False when the previous call is older than the session timeout: a process that was
        stopped that long has lost the lease on the broker even if it has not heard so yet.
        """
        with self._lock:
            now = self._monotonic()
            stalled = self._last_asked is not None and now - self._last_asked > self._session
            self._consumer.poll(0)
            self._last_asked = self._monotonic()
            if stalled and self._holding:
                log.warning("stalled past the session timeout; giving the lease up")
                self._rejoin()
            return self._holding

    def wait(self, stopping: threading.Event, step: float = 0.2) -> bool:
        """Stand by until the lease is held (True) or ``stopping`` is set (False)."""
        while not stopping.is_set():
            if self.held():
                return True
            stopping.wait(step)
        return False

    def close(self) -> None:
        """Leave the group, so a standby takes over at once."""
        with self._lock:
            self._consumer.close()

    def _subscribe(self) -> None:
        self._consumer.subscribe(
            [self._topic], on_assign=self._assigned, on_revoke=self._revoked, on_lost=self._revoked
        )

    def _rejoin(self) -> None:
        """Give the partition back and join again: the group decides anew who holds it."""
        self._holding = False
        self._consumer.unsubscribe()
        self._subscribe()

    def _assigned(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        if any(p.partition == LEASE_PARTITION for p in partitions) and not self._holding:
            self._holding = True
            log.info("lease acquired", extra={"group": self.group_id})

    def _revoked(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        if any(p.partition == LEASE_PARTITION for p in partitions) and self._holding:
            self._holding = False
            log.warning("lease lost", extra={"group": self.group_id})


def open_lease(kafka: KafkaSettings, group_id: str) -> Lease:
    """Join the lease group ``<group_id>.lease`` of a role, creating the lease topic when
    missing (so a deployment needs nothing more than the role's group id)."""
    connection = connection_config(kafka)
    spec = lease_topic(kafka.topic_prefix)
    admin = AdminClient(client_properties(connection))
    create_missing_topics(
        admin, new_topics((spec,), kafka.replication_factor, kafka.min_insync_replicas)
    )
    return Lease(connection, spec.name, f"{group_id}.lease")
