"""``mediawatch logs``: the records every service shipped, read from the logs topic."""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime

import click
from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import LogRecorded, decode_event
from mediawatch_common.kafka import declare_topics
from mediawatch_common.kafka.connection import Connection, client_properties, connection_config
from mediawatch_common.logs.view import LEVELS, LogFilter, as_json, as_text
from mediawatch_common.replay import Bound, HistoryReader, Range, parse_bound
from mediawatch_common.settings import Settings

Decode = Callable[[bytes], object]


def _since(_ctx: click.Context, _param: click.Parameter, value: str) -> datetime:
    try:
        bound = parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if bound.time is None:
        raise click.BadParameter("give a time or an age, not an offset")
    return bound.time


@click.command()
@click.option(
    "-n",
    "--lines",
    default=50,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="How many of the newest matching records to print.",
)
@click.option("-f", "--follow", is_flag=True, help="Then print new records as they arrive.")
@click.option(
    "--level", type=click.Choice(LEVELS, case_sensitive=False), help="This level and above."
)
@click.option("--service", help="Only this service (transcoder, api...).")
@click.option("--host", help="Only this host.")
@click.option("--session", "session_id", help="Only records of this session.")
@click.option(
    "--since",
    default="1h",
    show_default=True,
    callback=_since,
    help="Look back to: an ISO time or an age (90m, 2h, 1.5d).",
)
@click.option("--json", "json_lines", is_flag=True, help="JSON Lines instead of text.")
@pass_settings
def logs(
    settings: Settings, lines: int, follow: bool, level: str | None, service: str | None,
    host: str | None, session_id: str | None, since: datetime, json_lines: bool,
) -> None:  # fmt: skip
    """Print the newest records every service shipped to the logs topic, oldest first.

    Reads the topic directly, without joining a consumer group or committing anything.
    """
    keep = LogFilter(level and level.upper(), service, host, session_id, since)
    topic = declare_topics(settings.kafka.topic_prefix).logs.name
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    render = as_json if json_lines else as_text
    reader = HistoryReader(connection_config(settings.kafka), lambda b: decode_event(b, codec))
    try:
        ranges = reader.ranges([topic], Bound(time=since))
        events = (r.event for r in reader.read_ranges(ranges))
        for event in newest(events, keep, lines):
            click.echo(render(event))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()
    if follow:
        for event in _follow(connection_config(settings.kafka), ranges, codec):
            if keep.matches(event):
                click.echo(render(event))


def newest(events: Iterator[object], keep: LogFilter, count: int) -> list[LogRecorded]:
    """The ``count`` newest matching records of ``events``, oldest first."""
    order = itertools.count()
    heap: list[tuple[datetime, int, LogRecorded]] = []
    for event in events:
        if isinstance(event, LogRecorded) and keep.matches(event) and count:
            entry = (event.timestamp, next(order), event)
            if len(heap) < count:
                heapq.heappush(heap, entry)
            else:
                heapq.heappushpop(heap, entry)
    return [entry[2] for entry in sorted(heap)]


def _follow(bootstrap: Connection, ranges: list[Range], codec: AvroCodec) -> Iterator[LogRecorded]:
    """Records written after ``ranges`` ended, as they arrive, until Ctrl-C."""
    consumer = Consumer(
        {
            **client_properties(bootstrap),
            # A throw-away id: assign() never joins it and nothing is committed.
            "group.id": f"mediawatch-logs-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
        }
    )
    consumer.assign([TopicPartition(r.topic, r.partition, r.end) for r in ranges])
    try:
        while True:
            for msg in consumer.consume(500, 0.5):
                if msg.error() is not None:
                    continue
                try:
                    event = decode_event(msg.value() or b"", codec)
                except Exception as exc:
                    where = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
                    click.echo(f"skipped undecodable message {where}: {exc}", err=True)
                    continue
                if isinstance(event, LogRecorded):
                    yield event
    except KeyboardInterrupt:
        return
    finally:
        consumer.close()
