"""Entry point of the ``mediawatch`` command."""

from __future__ import annotations

import click

from mediawatch_common.cli.plugins import EntryPointGroup
from mediawatch_common.logs import configure_logging
from mediawatch_common.settings import SettingsError, load_settings


@click.group(cls=EntryPointGroup, entry_point_group="mediawatch.commands")
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
    configure_logging(settings.log)
    ctx.obj = settings


@main.group(cls=EntryPointGroup, entry_point_group="mediawatch.services")
def run() -> None:
    """Start one service (runs until SIGTERM or Ctrl-C)."""
