"""What the handlers need, built once at start-up and injected with ``dependencies=``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from litestar.di import NamedDependency
from sqlalchemy import Engine, text

from mediawatch_api.health import HealthRunner
from mediawatch_api.ingest import ClaimStore, OnceAppender
from mediawatch_api.ingest.limits import (
    DELIVERY_WAIT_SECONDS,
    IN_FLIGHT_WAIT_SECONDS,
    STALE_SECONDS,
)
from mediawatch_api.settings import ApiSettings
from mediawatch_api.users.roster import Roster, roster_of
from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import Event, encode_event
from mediawatch_common.kafka import EventProducer, Topics
from mediawatch_common.settings import Settings


def utc_now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


@dataclass
class EventLog:
    """Appends events to their topics and waits for the brokers' acknowledgement."""

    producer: EventProducer
    topics: Topics

    def append(self, topic: str, events: list[tuple[str, Event]], timeout: float = 10.0) -> None:
        """Produce ``(key, event)`` pairs to ``topic``; raises DeliveryError when not acked."""
        for key, event in events:
            self.producer.produce(topic, encode_event(event), key=key)
        self.producer.flush(timeout=timeout)

    def append_many(self, events: list[tuple[str, str, Event]], timeout: float = 10.0) -> None:
        """Produce ``(topic, key, event)`` triples in order; raises DeliveryError when not
        every one is acknowledged."""
        for topic, key, event in events:
            self.producer.produce(topic, encode_event(event), key=key)
        self.producer.flush(timeout=timeout)

    def deliver(
        self, events: Sequence[tuple[str, str, Event]], timeout: float = DELIVERY_WAIT_SECONDS
    ) -> list[bool | None]:
        """Produce ``(topic, key, event)`` triples in order; each one's own outcome (True
        acknowledged, False refused, None no answer within ``timeout``)."""
        encoded = [(topic, encode_event(event), key) for topic, key, event in events]
        return self.producer.deliver(encoded, timeout)


@dataclass
class Services:
    """Collaborators of the API."""

    settings: Settings
    api: ApiSettings
    engine: Engine
    events: EventLog
    health: HealthRunner
    projector_group: str
    codec: AvroCodec
    clock: Callable[[], datetime] = field(default=utc_now)

    @cached_property
    def ingest(self) -> OnceAppender:
        """Appends ingested batches once per event id, across every API process."""
        claims = ClaimStore(self.engine, STALE_SECONDS)
        return OnceAppender(claims, self.events.deliver, IN_FLIGHT_WAIT_SECONDS)

    @cached_property
    def roster(self) -> Roster:
        """The accounts as they are now, for checking each request's token."""
        return roster_of(self.reads, self.api.account_check_seconds)

    @cached_property
    def reads(self) -> Engine:
        """``engine`` in autocommit, for handlers that only read.

        Each statement still sees one consistent snapshot (READ COMMITTED gives no more inside
        a transaction), but no BEGIN and ROLLBACK round trips are added around it.
        """
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def audit(
        self,
        action: str,
        outcome: str,
        actor: str | None,
        client: str | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record an admin action or a failed login in the audit log."""
        import json

        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log (actor, action, outcome, client, details) "
                    "VALUES (:a, :action, :o, :c, CAST(:d AS jsonb))"
                ),
                {
                    "a": actor,
                    "action": action,
                    "o": outcome,
                    "c": client,
                    "d": json.dumps(details or {}),
                },
            )


ServicesDep = NamedDependency[Services]
"""Handler parameter type: the injected :class:`Services`."""
