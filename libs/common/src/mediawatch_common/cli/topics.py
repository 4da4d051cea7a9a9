"""``mediawatch topics``: create and list the declared topics."""

from __future__ import annotations

import click
from confluent_kafka.admin import AdminClient
from rich.console import Console
from rich.table import Table

from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka import FOREVER, declare_topics, ensure_topics
from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.settings import Settings


@click.group()
def topics() -> None:
    """Create or list the Kafka topics declared in mediawatch_common.kafka.topics."""


@topics.command("create")
@pass_settings
def create(settings: Settings) -> None:
    """Create the topics that do not exist yet (harmless to run twice)."""
    kafka = settings.kafka
    admin = AdminClient(connection_config(kafka))
    declared = declare_topics(kafka.topic_prefix).all()
    created = ensure_topics(admin, declared, kafka.replication_factor, kafka.min_insync_replicas)
    for spec in declared:
        state = "created" if spec.name in created else "exists"
        click.echo(f"{spec.name:<28} {state}")


@topics.command("list")
@pass_settings
def list_topics(settings: Settings) -> None:
    """Show each declared topic: partitions on the broker, key, events, retention."""
    kafka = settings.kafka
    metadata = AdminClient(connection_config(kafka)).list_topics(timeout=15)
    table = Table("topic", "partitions", "key", "events", "retention")
    for spec in declare_topics(kafka.topic_prefix).all():
        found = metadata.topics.get(spec.name)
        partitions = str(len(found.partitions)) if found else "missing"
        days = "forever" if spec.retention_ms == FOREVER else f"{spec.retention_ms // 86_400_000} d"
        table.add_row(spec.name, partitions, spec.key, ", ".join(spec.events), days)
    Console().print(table)
