"""``mediawatch run projector``."""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import threading
from datetime import UTC, datetime
from types import FrameType

import click

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.kafka import ConsumerLoop, connection_config, declare_topics
from mediawatch_common.metrics import METRICS_SERVER, serve_metrics_on
from mediawatch_common.runtime import favour_waiting_threads, quiet_gc
from mediawatch_common.settings import Settings, SettingsError, load_group
from mediawatch_common.shutdown import exit_by_deadline
from mediawatch_projector.member_metrics import share_metrics
from mediawatch_projector.message_decoding import Decoded
from mediawatch_projector.metrics import ProjectorMetrics
from mediawatch_projector.service import Projection, build_loop
from mediawatch_projector.worker_processes import Members, member_argv, parent_gone
from mediawatch_store import connect, ensure_migrated, make_engine
from mediawatch_store.settings import ProjectorSettings, database_url

log = logging.getLogger(__name__)


def _sweep(settings: Settings, url: str, interval: int, stop: threading.Event) -> None:
    """Apply the retention every ``interval`` seconds until ``stop`` is set."""
    if stop.wait(interval):
        return
    # Imported when first due: SQLAlchemy is slow to import and nothing else here needs it.
    from mediawatch_store.retention import apply_retention

    engine = make_engine(url, settings.database.schema_name, pool_size=1)
    while True:
        try:
            with engine.begin() as conn:
                deleted = apply_retention(conn, settings.retention, datetime.now(UTC))
            log.info("retention applied", extra={"deleted": sum(deleted.values())})
        except Exception as exc:
            log.warning("retention failed; will retry", extra={"error": type(exc).__name__})
        if stop.wait(interval):
            break
    engine.dispose()


def _stop_on_signals(
    projection: Projection, loop: ConsumerLoop[Decoded], deadline_seconds: float
) -> None:
    """SIGTERM/SIGINT: finish the batch in hand, stop waiting for the database, leave."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal", extra={"signal": signal.Signals(signum).name})
        exit_by_deadline(deadline_seconds)
        projection.stop()
        loop.stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _serve_metrics(members: int, metrics_fd: int | None) -> list[socket.socket]:
    """A member serves its registry on the socket its parent handed down (``metrics_fd``);
    the parent opens one for each of its ``members`` and merges them into its own scrapes."""
    ctx = click.get_current_context()
    if metrics_fd is not None:
        server = serve_metrics_on(socket.socket(fileno=metrics_fd))
        ctx.call_on_close(server.close)
    return share_metrics(ctx.meta.get(METRICS_SERVER), members)


@click.command()
@click.option("--no-migrate", is_flag=True, help="Do not run the schema migrations first.")
@click.option(
    "--processes",
    type=click.IntRange(1, 16),
    default=None,
    help="Members of the consumer group to run, one process each (default PROJECTOR_PROCESSES).",
)
@click.option("--member-of", type=int, default=None, hidden=True)
@click.option("--metrics-fd", type=int, default=None, hidden=True)
@pass_settings
def projector(
    settings: Settings,
    no_migrate: bool,
    processes: int | None,
    member_of: int | None,
    metrics_fd: int | None,
) -> None:
    """Project every topic into PostgreSQL, exactly once (Ctrl-C to stop)."""
    try:
        own = load_group(ProjectorSettings)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    assert isinstance(own, ProjectorSettings)
    url, schema = database_url(settings), settings.database.schema_name
    if not no_migrate:
        ensure_migrated(url, schema)
    count = (processes or own.processes) - 1
    members = Members(count, member_argv(os.getpid()), _serve_metrics(count, metrics_fd))
    topics = declare_topics(settings.kafka.topic_prefix)
    names = [spec.name for spec in topics.all()]
    metrics = ProjectorMetrics()
    projection = Projection(functools.partial(connect, url, schema), own.group_id, metrics)
    loop = build_loop(
        projection,
        connection_config(settings.kafka),
        names,
        topics.deadletter.name,
        own.group_id,
        own.batch_size,
        AvroCodec(SchemaRegistry(settings.paths.schema_dir)),
    )
    metrics.count_behind(loop.lag)
    stop = threading.Event()
    if member_of is None:  # the first member applies the retention and runs the others
        threading.Thread(
            target=_sweep, args=(settings, url, own.cleanup_interval_seconds, stop), daemon=True
        ).start()
        if members.count:
            members.start()
            threading.Thread(target=members.watch, args=(stop,), daemon=True).start()
    _stop_on_signals(projection, loop, settings.shutdown.timeout_seconds)
    quiet_gc()
    favour_waiting_threads()  # the batch writer's thread, between its sends
    log.info("projector started", extra={"topics": ",".join(names), "schema": schema})
    try:
        loop.run(until=None if member_of is None else functools.partial(parent_gone, member_of))
    finally:
        stop.set()
        members.stop()
        projection.close()
    log.info("projector stopped", extra={"events": projection.written})
