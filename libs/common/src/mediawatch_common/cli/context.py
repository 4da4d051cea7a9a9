"""What every command receives: the settings, read once at start-up."""

from __future__ import annotations

import click

from mediawatch_common.kafka import KafkaAccessError, check_access
from mediawatch_common.settings import Settings

pass_settings = click.make_pass_decorator(Settings)


def require_access(settings: Settings) -> None:
    """Stop the command (exit 1) when the brokers refuse its credentials or certificates."""
    try:
        check_access(settings.kafka)
    except KafkaAccessError as exc:
        raise click.ClickException(str(exc)) from None
