"""Entry point of the ``mediawatch`` command."""

from __future__ import annotations

import click

from mediawatch_common.cli.context import require_access
from mediawatch_common.cli.plugins import EntryPointGroup, service_of
from mediawatch_common.cli.request import REQUESTED, MainGroup
from mediawatch_common.logs import configure_logging, ship_logs
from mediawatch_common.metrics import METRICS_SERVER, MetricsPortError, serve_metrics
from mediawatch_common.settings import Settings, SettingsError, load_settings


def _configure(settings: Settings, name: str, ship: bool) -> None:
    """Files in this process's own directory under LOG_DIR; a service ships its records."""
    shipper = ship_logs(settings, name) if ship and settings.log.ship else None
    configure_logging(settings.log, name, [shipper] if shipper else [])
    if shipper:
        click.get_current_context().call_on_close(shipper.close)


NO_KAFKA = frozenset({"users", "prometheus"})
"""Commands that never talk to Kafka: no broker check before them."""


@click.group(cls=MainGroup, entry_point_group="mediawatch.commands")
@click.version_option(package_name="mediawatch-common", prog_name="mediawatch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Mediawatch: monitoring and alerting for media-processing pipelines.

    Configuration comes from environment variables (see README.md); a bad value stops the
    command before it starts, naming the variable.
    """
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    command = ctx.invoked_subcommand
    # Subcommands parse their options after this callback: MainGroup parsed them ahead, so a
    # help request or a command line click will refuse runs no check.
    requested = ctx.meta.get(REQUESTED)
    if requested and requested[0] not in NO_KAFKA:
        require_access(settings)
    if command != "run":  # a service configures its logging under its own name, below
        group = ctx.command
        found = (
            group.get_command(ctx, command) if command and isinstance(group, click.Group) else None
        )
        service = service_of(found)
        _configure(settings, service or command or "cli", ship=service is not None)
    ctx.obj = settings


@main.group(cls=EntryPointGroup, entry_point_group="mediawatch.services")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start one service (runs until SIGTERM or Ctrl-C).

    Its records go to its own directory under LOG_DIR and, unless LOG_SHIP is false, to the
    logs topic. Its Prometheus metrics are served on METRICS_HOST:METRICS_PORT (each service
    has its own default port; 0 disables).
    """
    settings, service = ctx.find_object(Settings), ctx.invoked_subcommand
    # Nothing to serve or ship when the service's help was asked for or its options are bad.
    if settings is not None and service is not None and ctx.meta.get(REQUESTED):
        _configure(settings, service, ship=True)
        try:
            server = serve_metrics(service, settings.metrics)
        except MetricsPortError as exc:
            raise click.UsageError(str(exc)) from None
        if server is not None:
            ctx.meta[METRICS_SERVER] = server  # a service may answer its scrapes otherwise
            ctx.call_on_close(server.close)
