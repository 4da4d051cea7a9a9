"""``mediawatch topics``: the declared topics, and bringing the cluster to their declaration."""

from __future__ import annotations

import sys

import click
from confluent_kafka.admin import AdminClient
from rich.console import Console
from rich.table import Table

from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka import FOREVER, Topics, connection_config, declare_topics
from mediawatch_common.kafka.topic_layout import apply_layout, load_layout
from mediawatch_common.kafka.topic_plan import TopicPlan, plan_topics
from mediawatch_common.kafka.topic_state import apply_plan, observe
from mediawatch_common.settings import Settings, SettingsError


@click.group()
def topics() -> None:
    """Create, list, plan and apply the Kafka topics as declared.

    The declaration is the code's defaults, then KAFKA_TOPICS_FILE (partitions and configs
    per topic), then KAFKA_TOPIC_PARTITIONS (e.g. pipeline=12).
    """


def declared(settings: Settings) -> Topics:
    """The topics as settings and the topics file declare them."""
    try:
        layout = load_layout(settings.kafka)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    return apply_layout(declare_topics(settings.kafka.topic_prefix), layout)


def _plan(settings: Settings) -> tuple[AdminClient, Topics, TopicPlan]:
    kafka = settings.kafka
    admin = AdminClient(connection_config(kafka))
    wanted = declared(settings)
    found = observe(admin, [spec.name for spec in wanted.all()])
    return admin, wanted, plan_topics(wanted.all(), found, kafka.min_insync_replicas)


def _show(plan: TopicPlan) -> None:
    if plan.in_sync:
        click.echo("every topic matches its declaration")
    for change in plan.changes:
        click.echo(f"  ~ {change}")
    for refusal in plan.refusals:
        click.echo(f"  ! refused: {refusal}", err=True)


@topics.command("plan")
@pass_settings
def plan(settings: Settings) -> None:
    """Show how the cluster differs from the declaration (changes nothing).

    Exits 1 when the declaration asks for a change that would be refused.
    """
    _, _, found = _plan(settings)
    _show(found)
    if found.refusals:
        sys.exit(1)


@topics.command("apply")
@pass_settings
def apply(settings: Settings) -> None:
    """Create missing topics, add partitions and set configs as declared (harmless twice).

    Refuses, changing nothing, to remove partitions, to change a compacted topic's cleanup
    policy or to compact a topic that keeps every message.
    """
    admin, wanted, found = _plan(settings)
    _show(found)
    if found.refusals:
        raise click.ClickException("nothing applied: fix the declaration of the refused topics")
    if found.changes:
        kafka = settings.kafka
        apply_plan(admin, found, wanted.all(), kafka.replication_factor, kafka.min_insync_replicas)
        click.echo(f"applied {len(found.changes)} change(s)")


@topics.command("create")
@pass_settings
def create(settings: Settings) -> None:
    """Create the topics that do not exist yet (harmless to run twice)."""
    kafka = settings.kafka
    admin = AdminClient(connection_config(kafka))
    wanted = declared(settings)
    found = observe(admin, [spec.name for spec in wanted.all()])
    missing = plan_topics([s for s in wanted.all() if s.name not in found], found, 1)
    apply_plan(admin, missing, wanted.all(), kafka.replication_factor, kafka.min_insync_replicas)
    for spec in wanted.all():
        click.echo(f"{spec.name:<28} {'exists' if spec.name in found else 'created'}")


@topics.command("list")
@pass_settings
def list_topics(settings: Settings) -> None:
    """Show each declared topic: partitions declared and on the broker, key, events, retention."""
    kafka = settings.kafka
    metadata = AdminClient(connection_config(kafka)).list_topics(timeout=15)
    table = Table("topic", "partitions", "key", "events", "retention")
    for spec in declared(settings).all():
        found = metadata.topics.get(spec.name)
        partitions = f"{len(found.partitions)} of {spec.partitions}" if found else "missing"
        days = "forever" if spec.retention_ms == FOREVER else f"{spec.retention_ms // 86_400_000} d"
        table.add_row(spec.name, partitions, spec.key, ", ".join(spec.events), days)
    Console().print(table)
