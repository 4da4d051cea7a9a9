"""``mediawatch replay``: read the event history back as a timeline or JSON Lines."""

from __future__ import annotations

import sys

import click
from confluent_kafka import Message
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.deadletters import from_message
from mediawatch_common.events import EVENT_TYPES, AlertLevel, Stage, decode_event
from mediawatch_common.kafka import Record, declare_topics
from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.replay import (
    Bound,
    HistoryReader,
    Replayed,
    ReplayFilter,
    failed_sessions,
    in_sessions,
    json_line,
    parse_bound,
    timeline_line,
)
from mediawatch_common.settings import Settings

TOPIC_ROLES = ("jobs", "pipeline", "resources", "windows", "alerts", "logs", "deadletter")


def _bound(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Bound | None:
    try:
        return None if value is None else parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option(
    "--from",
    "start",
    callback=_bound,
    help="Start: ISO time, age (2h, 1.5d) or @offset. Default: 1h ago.",
)
@click.option("--to", "end", callback=_bound, help="End (exclusive): same forms. Default: now.")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest event kept.")
@click.option(
    "--topic",
    "roles",
    multiple=True,
    type=click.Choice(TOPIC_ROLES),
    help="Topics to read (repeatable). Default: pipeline and alerts. Dead letters come as "
    "DeadLetter records with their origin and reason.",
)
@click.option("--session", "sessions", multiple=True, help="Only this session (repeatable).")
@click.option("--user", "users", multiple=True, help="Only this user (repeatable).")
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice([s.label for s in Stage], case_sensitive=False),
    help="Only this stage (repeatable).",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice([lv.value.lower() for lv in AlertLevel], case_sensitive=False),
    help="Only alerts of this level (repeatable).",
)
@click.option(
    "--event-type",
    "event_types",
    multiple=True,
    type=click.Choice(sorted([*EVENT_TYPES, "DeadLetter"])),
    help="Only this event type (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines on stdout instead of a timeline.")
@click.option(
    "--failed", is_flag=True, help="Only sessions with a failed stage (and their alerts)."
)
@pass_settings
def replay(
    settings: Settings,
    start: Bound | None,
    end: Bound | None,
    from_beginning: bool,
    roles: tuple[str, ...],
    sessions: tuple[str, ...],
    users: tuple[str, ...],
    stages: tuple[str, ...],
    levels: tuple[str, ...],
    event_types: tuple[str, ...],
    as_json: bool,
    failed: bool,
) -> None:
    """Read events back from the log, ordered by event time.

    Never joins a consumer group and never commits: running it cannot disturb any service.
    """
    if from_beginning and start is not None:
        raise click.UsageError("give --from or --from-beginning, not both")
    if not from_beginning and start is None:
        start = parse_bound("1h")
    topics = declare_topics(settings.kafka.topic_prefix)
    names = [getattr(topics, role).name for role in (roles or ("pipeline", "alerts"))]
    keep = ReplayFilter(
        sessions=frozenset(sessions),
        users=frozenset(users),
        stages=frozenset(Stage.from_label(s) for s in stages),
        levels=frozenset(AlertLevel(lv.upper()) for lv in levels),
        event_types=frozenset(event_types),
        since=start.time if start else None,
        until=end.time if end else None,
    )
    dead = topics.deadletter.name
    found = [r for r in _read(settings, names, start, end, dead) if keep.matches(r.event)]
    if failed:
        broken = failed_sessions([r.event for r in found])
        found = [r for r in found if in_sessions(r.event, broken)]
    found.sort(key=lambda r: (r.event.event_time, r.topic, r.offset))
    _emit(found, as_json)


def _read(
    settings: Settings, names: list[str], start: Bound | None, end: Bound | None, dead: str
) -> list[Record[Replayed]]:
    """Every decodable record of the slice, and every dead letter of the dead-letter topic
    ``dead``, with a progress bar on a terminal's stderr."""
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    reader = HistoryReader(
        connection_config(settings.kafka), lambda data: decode_event(data, codec)
    )
    err = Console(stderr=True)
    columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("read", total=None)
            progress = lambda n, total: bar.update(task, completed=n, total=total)  # noqa: E731
            ranges = reader.ranges(names, start, end)
            read = (_record(reader, m, dead) for m in reader.messages(ranges, progress))
            records = [r for r in read if r is not None]
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()
    if reader.undecodable:
        err.print(f"[yellow]{reader.undecodable} undecodable message(s) skipped[/yellow]")
    return records


def _record(reader: HistoryReader, msg: Message, dead: str) -> Record[Replayed] | None:
    letter = from_message(msg) if msg.topic() == dead else None
    if letter is None:
        found = reader.record(msg)
        return None if found is None else Record(*found)
    return Record(letter.topic, letter.partition, letter.offset, letter.key,
                  letter.timestamp_ms, letter)  # fmt: skip


def _emit(found: list[Record[Replayed]], as_json: bool) -> None:
    if as_json:
        out = sys.stdout
        for record in found:
            out.write(json_line(record) + "\n")
        return
    console = Console(highlight=False)
    if not found:
        console.print("no events match")
        return
    origin = found[0].event.event_time
    for record in found:
        console.print(timeline_line(record.event, origin), soft_wrap=True)
    console.print(f"[dim]{len(found)} event(s)[/dim]")
