"""Wiring: settings in, a ready-to-run alerter out (used by the command, tests and the demo)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from mediawatch_alerter.alerter_service import AlerterService
from mediawatch_alerter.evaluator import build_evaluator
from mediawatch_alerter.metrics import AlerterMetrics
from mediawatch_alerter.recent_input import read_since
from mediawatch_alerter.rules import load_rules_file
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import Producer, decode_event
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.kafka.transactions import TransactionalProducer, transactional_config
from mediawatch_common.settings import HealthCheckSettings, Settings
from mediawatch_common.wall_clock import Clock, SystemClock


def build_alerter(
    settings: Settings,
    alerter: AlerterSettings,
    clock: Clock | None = None,
    metrics: AlerterMetrics | None = None,
) -> AlerterService:
    """The alerter with the built-in rules, the rules file, and the configured topics;
    ``metrics`` (default: registered nowhere) follow what it evaluates and publishes."""
    topics = declare_topics(settings.kafka.topic_prefix)
    rules = load_rules_file(alerter.rules_file) if alerter.rules_file else None
    identity = Producer.current("alerter")
    evaluator = build_evaluator(
        settings.monitoring,
        alerter,
        identity,
        clock or SystemClock(),
        rules,
        missed_reports=settings.health.missed_reports,
    )
    # Jobs too: a session's start (for stuck sessions) is its request.
    inputs = [topics.jobs.name, topics.pipeline.name, topics.windows.name, topics.resources.name]
    if alerter.health_topic:  # HealthChecked events come on the resources topic anyway
        inputs.append(alerter.health_topic)
    kafka = settings.kafka
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    client_id = f"{kafka.client_id}-alerter"
    # Every instance shares one transactional id: the one that starts fences the others.
    publisher = TransactionalProducer(
        transactional_config(producer_config(connection_config(kafka), client_id), alerter.group_id)
    )
    return AlerterService(
        evaluator,
        bootstrap=connection_config(kafka),
        group_id=alerter.group_id,
        inputs=inputs,
        alerts_topic=topics.alerts.name,
        deadletter_topic=topics.deadletter.name,
        codec=codec,
        publisher=publisher,
        deadletter_producer=EventProducer(producer_config(connection_config(kafka), client_id)),
        tick_seconds=alerter.tick_seconds,
        rebuild_timeout=alerter.rebuild_timeout_seconds,
        recall=lambda: read_since(
            connection_config(kafka),
            topics.resources.name,
            functools.partial(decode_event, codec=codec),
            datetime.now(UTC) - timedelta(seconds=recall_seconds(settings.health)),
            alerter.rebuild_timeout_seconds,
        ),
        metrics=metrics,
    )


def recall_seconds(health: HealthCheckSettings) -> float:
    """How far back the alerter reads health reports at start: every host whose reporter
    could still be declared missing (at least an hour, for hosts with a longer interval)."""
    return max(3600.0, (health.missed_reports + 1) * health.interval_seconds)
