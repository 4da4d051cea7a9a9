"""Click groups whose subcommands are registered by installed packages (entry points).

A service package adds ``mediawatch run NAME`` by declaring an entry point in the group
``mediawatch.services``; an operator command goes to ``mediawatch.commands``. The CLI never
imports a service it is not asked to run.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TypeVar

import click

C = TypeVar("C", bound=click.Command)
SERVICE_ATTRIBUTE = "mediawatch_service"


def ships_logs_as(service: str) -> Callable[[C], C]:
    """Mark a command that runs ``service`` in its own process (a demo's worker): its records
    go to the service's log directory and to the logs topic, as ``mediawatch run`` does."""

    def mark(command: C) -> C:
        setattr(command, SERVICE_ATTRIBUTE, service)
        return command

    return mark


def service_of(command: click.Command | None) -> str | None:
    """The service a command runs in-process (see :func:`ships_logs_as`), if any."""
    return getattr(command, SERVICE_ATTRIBUTE, None)


class EntryPointGroup(click.Group):
    """A click group that lists and loads its commands from one entry-point group."""

    def __init__(self, *args: object, entry_point_group: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._entry_point_group = entry_point_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        found = {ep.name for ep in entry_points(group=self._entry_point_group)}
        return sorted(found | set(super().list_commands(ctx)))

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first sentence of the help, then every command's name, so that the parent's
        ``--help`` lists them (``mediawatch --help`` names every service ``run`` starts)."""
        names = ", ".join(self.list_commands(click.Context(self)))
        return f"{super().get_short_help_str(limit)} One of: {names}."

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for ep in entry_points(group=self._entry_point_group, name=cmd_name):
            try:
                command = ep.load()
            except Exception as exc:
                return _unavailable(cmd_name, f"{ep.value} cannot be loaded: {exc}")
            if not isinstance(command, click.Command):
                return _unavailable(cmd_name, f"{ep.value} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


def _unavailable(name: str, reason: str) -> click.Command:
    """A stand-in that lists a broken plug-in in --help and explains it when run."""

    def fail() -> None:
        raise click.ClickException(reason)

    return click.Command(name, callback=fail, help=f"(unavailable) {reason}",
                         context_settings={"ignore_unknown_options": True})  # fmt: skip
