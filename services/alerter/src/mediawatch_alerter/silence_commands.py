"""``mediawatch silences add|list|expire``: silence events appended to the alerts topic."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mediawatch_alerter.alerts import (
    SilenceError,
    expire,
    listing,
    new_silence,
    parse_duration,
    silence_book,
)
from mediawatch_common.alerting import SilenceBook, iso_z
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import Event, Producer, decode_event, encode_event
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.replay import HistoryReader
from mediawatch_common.settings import Settings


@click.group("silences")
def silences() -> None:
    """Mute alerts for a while (the alerter and the notifier honour silences)."""


@silences.command("add")
@click.option("--matcher", "matchers", multiple=True, required=True, help="label=value, !=, =~, !~")
@click.option("--duration", default="2h", show_default=True, help="How long: 30m, 2h, 1d...")
@click.option("--start", help="When it starts (ISO time, UTC). Default: now.")
@click.option("--author", required=True, help="Who silences.")
@click.option("--comment", required=True, help="Why.")
@pass_settings
def add(
    settings: Settings,
    matchers: tuple[str, ...],
    duration: str,
    start: str | None,
    author: str,
    comment: str,
) -> None:
    """Append a SilenceCreated to the alerts topic; prints its id."""
    try:
        created = new_silence(
            matchers,
            starts_at=_start(start),
            duration=parse_duration(duration),
            author=author,
            comment=comment,
            producer=Producer.current("cli"),
        )
    except SilenceError as exc:
        raise click.UsageError(str(exc)) from None
    _append(settings, created, created.silence_id)
    click.echo(created.silence_id)


@silences.command("list")
@click.option("--all", "everything", is_flag=True, help="Include expired silences.")
@pass_settings
def list_(settings: Settings, everything: bool) -> None:
    """Show the active and pending silences, read back from the alerts topic."""
    rows = listing(_read_book(settings), datetime.now(UTC), everything=everything)
    if not rows:
        click.echo("no silences")
        return
    table = Table(title="Silences")
    for column in ("id", "state", "matchers", "starts", "ends", "author", "comment"):
        table.add_column(column, overflow="fold")
    for row in rows:
        created = row.silence.created
        table.add_row(
            created.silence_id,
            row.state,
            escape(", ".join(f"{m.label}{m.op}{m.value}" for m in created.matchers)),
            iso_z(created.starts_at),
            iso_z(created.ends_at),
            escape(created.author),
            escape(created.comment),
        )
    Console(highlight=False).print(table)


@silences.command("expire")
@click.argument("silence_id")
@click.option("--reason", default="expired by an operator", show_default=True)
@pass_settings
def expire_(settings: Settings, silence_id: str, reason: str) -> None:
    """Append a SilenceExpired: the silence stops applying now."""
    try:
        expired = expire(
            _read_book(settings),
            silence_id,
            now=datetime.now(UTC),
            reason=reason,
            producer=Producer.current("cli"),
        )
    except SilenceError as exc:
        raise click.ClickException(str(exc)) from None
    _append(settings, expired, silence_id)
    click.echo(f"expired {silence_id}")


def _start(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {text!r}", param_hint="--start") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _codec(settings: Settings) -> AvroCodec:
    return AvroCodec(SchemaRegistry(settings.paths.schema_dir))


def _append(settings: Settings, event: Event, key: str) -> None:
    topic = declare_topics(settings.kafka.topic_prefix).alerts.name
    kafka = settings.kafka
    producer = EventProducer(producer_config(connection_config(kafka), f"{kafka.client_id}-cli"))
    producer.send(topic, encode_event(event, _codec(settings)), key=key)


def _read_book(settings: Settings) -> SilenceBook:
    topic = declare_topics(settings.kafka.topic_prefix).alerts.name
    codec = _codec(settings)
    reader = HistoryReader(
        connection_config(settings.kafka), lambda data: decode_event(data, codec)
    )
    try:
        return silence_book(r.event for r in reader.read([topic], None, None))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()
