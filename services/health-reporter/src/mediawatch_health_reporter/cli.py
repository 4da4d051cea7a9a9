"""``mediawatch run health``."""

from __future__ import annotations

import signal
from types import FrameType

import click

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import HealthChecked, Producer, encode_event
from mediawatch_common.health import CheckRunner
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.settings import Settings, SettingsError, load_group
from mediawatch_common.shutdown import exit_by_deadline
from mediawatch_common.storage import StorageSettings
from mediawatch_health_reporter.checks import host_checks
from mediawatch_health_reporter.metrics import HealthMetrics
from mediawatch_health_reporter.reporter import HealthReporter


@click.command("health")
@pass_settings
def health(settings: Settings) -> None:
    """Check this host every HEALTH_CHECK_INTERVAL_SECONDS and publish HealthChecked
    (until SIGTERM): resources, ffmpeg, storage, temp directory, log files, consumer lag."""
    try:
        storage = load_group(StorageSettings)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    kafka = settings.kafka
    topics = declare_topics(kafka.topic_prefix)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    producer = EventProducer(producer_config(connection_config(kafka), f"{kafka.client_id}-health"))
    timeout = float(settings.health.timeout)

    def publish(event: HealthChecked) -> None:
        producer.produce(topics.resources.name, encode_event(event, codec), key=event.host)
        producer.flush(timeout=timeout)

    runner = CheckRunner(host_checks(settings, storage, topics), timeout)
    reporter = HealthReporter(
        runner,
        publish,
        Producer.current("health-reporter"),
        settings.health.interval_seconds,
        HealthMetrics(),
    )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        exit_by_deadline(settings.shutdown.timeout_seconds)
        reporter.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        reporter.run()
    finally:
        runner.close()
