"""What every command receives: the settings, read once at start-up."""

from __future__ import annotations

import click

from mediawatch_common.kafka import KafkaAccessError, check_access
from mediawatch_common.kafka.access import not_answering, unreachable
from mediawatch_common.settings import Settings

pass_settings = click.make_pass_decorator(Settings)


def require_access(settings: Settings) -> None:
    """Stop the command (exit 1) when the brokers refuse its credentials or certificates;
    say so on stderr while they do not answer, and when they did not in time."""
    kafka = settings.kafka
    try:
        answered = check_access(
            kafka, lambda: click.echo(f"Waiting: {not_answering(kafka)}", err=True)
        )
    except KafkaAccessError as exc:
        raise click.ClickException(str(exc)) from None
    if not answered:
        click.echo(f"Warning: {unreachable(kafka)}", err=True)
