"""``mediawatch deadletters``: list, show and re-drive the messages no consumer could decode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.deadletters import (
    DeadLetterFilter,
    DeadLetterLog,
    choose,
    fold,
    parse_position,
    redrive,
)
from mediawatch_common.deadletters.render import as_json, describe, status
from mediawatch_common.events import Event, Producer, decode_event, encode_event
from mediawatch_common.kafka import EventProducer, declare_topics, producer_config
from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.replay import HistoryReader, parse_bound
from mediawatch_common.settings import Settings

ROLES = ("jobs", "pipeline", "resources", "windows", "alerts", "logs")


def _time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        bound = parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if bound.time is None:
        raise click.BadParameter("give a time or an age, not an offset")
    return bound.time


def _positions(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> Any:
    try:
        return frozenset(parse_position(v) for v in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The selection options every subcommand shares."""
    options = [
        click.option("--topic", "topics", multiple=True,
                     help="Origin topic: a full name or a role (pipeline, alerts...). Repeatable."),
        click.option("--reason", "reasons", multiple=True,
                     help="Text the reason contains (case-insensitive). Repeatable."),
        click.option("--group", "groups", multiple=True,
                     help="Consumer group that dead-lettered it. Repeatable."),
        click.option("--since", callback=_time, help="Dead-lettered at or after: ISO time or age."),
        click.option("--until", callback=_time, help="Dead-lettered before: ISO time or age."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _filter(settings: Settings, positions: frozenset[tuple[int, int]] = frozenset(),
            **given: Any) -> DeadLetterFilter:  # fmt: skip
    topics = declare_topics(settings.kafka.topic_prefix)
    names = {getattr(topics, t).name if t in ROLES else t for t in given["topics"]}
    return DeadLetterFilter(
        origin_topics=frozenset(names),
        reasons=tuple(given["reasons"]),
        groups=frozenset(given["groups"]),
        since=given["since"],
        until=given["until"],
        positions=positions,
    )


def _decoder(settings: Settings) -> Callable[[bytes], Event]:
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    return lambda data: decode_event(data, codec)


def _read(settings: Settings) -> DeadLetterLog:
    topic = declare_topics(settings.kafka.topic_prefix).deadletter.name
    reader = HistoryReader(connection_config(settings.kafka), _decoder(settings))
    try:
        return fold(reader.messages(reader.ranges([topic])), _decoder(settings))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()


@click.group()
def deadletters() -> None:
    """Inspect the dead-letter topic and send its messages back once they can be read.

    Reads the topic directly: no consumer group is joined, nothing is committed.
    """


@deadletters.command("list")
@filter_options
@click.option("--pending", is_flag=True, help="Only those not re-driven yet.")
@click.option("--json", "as_lines", is_flag=True, help="JSON Lines instead of a table.")
@pass_settings
def list_letters(settings: Settings, /, pending: bool, as_lines: bool, **given: Any) -> None:
    """List dead letters, oldest first, with their origin, reason and re-drive status."""
    log, keep = _read(settings), _filter(settings, **given)
    found = [x for x in log.letters if keep.matches(x) and not (pending and log.redriven(x))]
    if as_lines:
        for letter in found:
            click.echo(as_json(letter, log.redriven(letter)))
        return
    table = Table("at", "failed at", "origin", "group", "reason", "status")
    for x in found:
        origin = f"{x.origin_topic}[{x.origin_partition}]@{x.origin_offset}"
        table.add_row(x.where, f"{x.failed_at:%Y-%m-%d %H:%M:%S}", escape(origin),
                      escape(x.consumer_group), escape(x.reason[:80]),
                      status(log.redriven(x)))  # fmt: skip
    Console(width=200).print(table)
    click.echo(f"{len(found)} dead letter(s)")


@deadletters.command()
@click.argument("positions", nargs=-1, required=True, callback=_positions)
@pass_settings
def show(settings: Settings, positions: frozenset[tuple[int, int]]) -> None:
    """Print dead letters in full: headers, reason, and what the current schemas decode.

    POSITIONS are offsets in the dead-letter topic (``17``, or ``partition:offset``).
    """
    log, decode = _read(settings), _decoder(settings)
    for partition, offset in sorted(positions):
        letter = log.find(partition, offset)
        if letter is None:
            raise click.ClickException(f"no dead letter at {partition}:{offset}")
        for line in describe(letter, log.redriven(letter), decode):
            click.echo(line)
        click.echo()


@deadletters.command("redrive")
@click.argument("positions", nargs=-1, callback=_positions)
@filter_options
@click.option("--force", is_flag=True, help="Also send those that still fail to decode.")
@click.option("--again", is_flag=True, help="Also send those already re-driven.")
@click.option("--dry-run", is_flag=True, help="Only say what would be sent.")
@click.option("--actor", help="Who is re-driving (recorded in the DeadLetterRedriven event).")
@pass_settings
def redrive_letters(settings: Settings, /, positions: frozenset[tuple[int, int]],
                    force: bool, again: bool, dry_run: bool, actor: str | None,
                    **given: Any) -> None:  # fmt: skip
    """Send dead letters back to their origin topic after a fix, and record each re-drive.

    Choose them by POSITIONS (offsets in the dead-letter topic), by filters, or both. A
    dead letter that still fails to decode with the current schemas is refused unless
    --force; one already re-driven is refused unless --again. Exits 1 if any was refused.
    """
    keep = _filter(settings, positions, **given)
    if keep.empty:
        raise click.UsageError("choose dead letters: give positions or at least one filter")
    log = _read(settings)
    missing = sorted(positions - {(x.partition, x.offset) for x in log.letters})
    if missing:
        raise click.ClickException(f"no dead letter at {', '.join(f'{p}:{o}' for p, o in missing)}")
    chosen = choose([x for x in log.letters if keep.matches(x)], log, _decoder(settings),
                    force=force, again=again)  # fmt: skip
    client = f"{settings.kafka.client_id}-redrive"
    config = producer_config(connection_config(settings.kafka), client)
    producer = None if dry_run else EventProducer(config)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    who, refused = Producer.current("cli"), 0
    for choice in chosen:
        where = f"{choice.letter.where} ({choice.letter.origin_topic})"
        if choice.refusal is not None:
            refused += 1
            click.echo(f"refused   {where}: {choice.refusal}")
        elif producer is None:
            click.echo(f"would send {where}{' (forced)' if choice.forced else ''}")
        else:
            event = redrive(choice, producer, lambda e: encode_event(e, codec), who, actor,
                            datetime.now(UTC))  # fmt: skip
            click.echo(f"re-driven {where} -> [{event.redriven_partition}]@{event.redriven_offset}"
                       f"{' (forced)' if choice.forced else ''}")  # fmt: skip
    click.echo(f"{len(chosen) - refused} sent, {refused} refused" if producer else "dry run")
    if refused:
        raise SystemExit(1)
