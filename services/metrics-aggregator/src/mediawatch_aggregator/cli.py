"""``mediawatch run aggregator`` and ``mediawatch windows``."""

from __future__ import annotations

import click
from confluent_kafka.admin import AdminClient

from mediawatch_aggregator.results_reader import latest_closed, render
from mediawatch_aggregator.runtime.internal_topics import internal_topics
from mediawatch_aggregator.settings import load_aggregator_settings
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka import (
    connection_config,
    create_missing_topics,
    declare_topics,
    new_topics,
)
from mediawatch_common.settings import Settings, SettingsError


@click.command("aggregator")
@pass_settings
def run_aggregator(settings: Settings) -> None:
    """Keep windowed error rates, counts and duration percentiles per stage.

    Reads the pipeline topic and publishes WindowAggregated events to the windows topic.
    Configured by AGGREGATOR_* variables (docs/aggregator.md). Stops on SIGTERM or Ctrl-C.
    """
    from mediawatch_aggregator.metrics import AggregatorMetrics
    from mediawatch_aggregator.runtime.faust_app import FaustAggregator
    from mediawatch_aggregator.runtime.faust_worker import StoppingWorker

    try:
        agg = load_aggregator_settings()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    kafka = settings.kafka
    topics = declare_topics(kafka.topic_prefix)
    admin = AdminClient(connection_config(kafka))
    wanted = (topics.pipeline, topics.windows, topics.deadletter)
    rf, isr = kafka.replication_factor, kafka.min_insync_replicas
    # The internal topics too, before the worker subscribes: a topic Faust creates may be
    # missing from the consumer's first metadata, and then stays unassigned (internal_topics.py).
    create_missing_topics(admin, new_topics(wanted, rf, isr) + internal_topics(agg, rf, isr))
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    aggregator = FaustAggregator(settings, agg, topics, codec, AggregatorMetrics())
    worker = StoppingWorker(
        aggregator,
        settings.shutdown.timeout_seconds,
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    worker.execute_from_commandline()


@click.command("windows")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to read the topic.")
@pass_settings
def windows(settings: Settings, timeout: float) -> None:
    """Print the latest closed window of each stage and window size."""
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    topic = declare_topics(settings.kafka.topic_prefix).windows.name
    found = latest_closed(connection_config(settings.kafka), topic, codec, timeout)
    render(found)
