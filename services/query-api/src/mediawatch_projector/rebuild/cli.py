"""``mediawatch rebuild``: the projections rebuilt from the event log, switched atomically."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import click
from confluent_kafka import Message
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import Event
from mediawatch_common.kafka import connection_config, declare_topics
from mediawatch_common.replay import HistoryReader
from mediawatch_common.runtime import favour_waiting_threads, quiet_gc
from mediawatch_common.settings import Settings, SettingsError, load_group
from mediawatch_projector.message_decoding import make_decoder, read_deadletter
from mediawatch_projector.rebuild.run import Rebuild
from mediawatch_store.settings import ProjectorSettings, database_url


@click.command()
@pass_settings
def rebuild(settings: Settings) -> None:
    """Rebuild every projection from offset zero into a fresh schema, then switch.

    The API keeps serving the live schema until the switch, which is one transaction.
    Users and the audit log, which do not come from events, are carried over.
    """
    try:
        own = load_group(ProjectorSettings)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    topics = declare_topics(settings.kafka.topic_prefix)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    # The reader hands on whatever its decoder returns; the projector's decoder keeps pipeline
    # events as plain records, which the projection expects.
    decode = cast(Callable[[bytes], Event], make_decoder(codec))
    whole = cast(Callable[[Message], Event], read_deadletter(make_decoder(codec)))
    reader = HistoryReader(
        connection_config(settings.kafka), decode, {topics.deadletter.name: whole}
    )
    job = Rebuild(
        url=database_url(settings),
        schema=settings.database.schema_name,
        group=own.group_id,
        topics=[t.name for t in topics.all()],
        reader=reader,
    )
    quiet_gc()
    favour_waiting_threads()  # the batch writer's thread, between its sends
    err = Console(stderr=True)
    columns = (TextColumn("rebuild"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("events", total=None)
            report = job.run(lambda n, total: bar.update(task, completed=n, total=total))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()
    click.echo(
        f"rebuilt {settings.database.schema_name}: {report.events} events in "
        f"{report.seconds:.1f} s ({report.events_per_second:,.0f} events/s), "
        f"{report.caught_up} caught up at the switch; {report.projecting_seconds:.1f} s of it "
        "reading and projecting the history"
    )
