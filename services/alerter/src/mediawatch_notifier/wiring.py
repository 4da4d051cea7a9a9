"""Wiring: settings in, a ready-to-run notifier out (used by the command, tests and the demo)."""

from __future__ import annotations

import httpx

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import Producer
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.settings import Settings
from mediawatch_common.wall_clock import Clock, SystemClock
from mediawatch_notifier.delivery import Deliverer
from mediawatch_notifier.metrics import NotifierMetrics
from mediawatch_notifier.notifier_service import NotifierService
from mediawatch_notifier.retry_policy import RetryPolicy
from mediawatch_notifier.routing import Routing
from mediawatch_notifier.settings import NotifierSettings


def build_notifier(
    settings: Settings,
    notifier: NotifierSettings,
    routing: Routing,
    clock: Clock | None = None,
    metrics: NotifierMetrics | None = None,
) -> NotifierService:
    """The notifier over ``routing`` with the configured retry, rate and timeout policy;
    ``metrics`` (default: registered nowhere) count its deliveries."""
    topics = declare_topics(settings.kafka.topic_prefix)
    clock = clock or SystemClock()
    kafka = settings.kafka
    producer = EventProducer(
        producer_config(connection_config(kafka), f"{kafka.client_id}-notifier")
    )
    deliverer = Deliverer(
        client=httpx.Client(follow_redirects=False),
        policy=RetryPolicy(
            max_attempts=notifier.max_attempts,
            initial=notifier.backoff_initial_seconds,
            maximum=notifier.backoff_max_seconds,
            max_retry_after=notifier.max_retry_after_seconds,
        ),
        producer=Producer.current("notifier"),
        record=lambda _record: None,
        clock=clock,
        timeout=notifier.timeout_seconds,
        timeouts=routing.timeouts,
        rate_per_minute=notifier.rate_limit_per_minute,
        allow_link_local=notifier.allow_link_local,
        dashboard_url=str(notifier.dashboard_url) if notifier.dashboard_url else None,
    )
    return NotifierService(
        routing,
        deliverer,
        bootstrap=connection_config(kafka),
        group_id=notifier.group_id,
        alerts_topic=topics.alerts.name,
        deadletter_topic=topics.deadletter.name,
        codec=AvroCodec(SchemaRegistry(settings.paths.schema_dir)),
        producer=producer,
        clock=clock,
        workers=notifier.workers,
        metrics=metrics,
    )
