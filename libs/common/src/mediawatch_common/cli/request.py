"""What a command line asks ``mediawatch`` to run, as click parses it, before anything runs.

The root group checks the brokers before a command that talks to Kafka. It decides from the
command the arguments name, parsed by click the way it is about to parse them, so that a help
request (``topics plan --help``, or a group without its command) or a command line click will
refuse runs no check.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
from click.core import ParameterSource

from mediawatch_common.cli.plugins import EntryPointGroup

REQUESTED = "mediawatch.requested"
"""Key in ``ctx.meta``: the path of the command that will run, or None (help, bad usage)."""


class MainGroup(EntryPointGroup):
    """The root group: notes in ``ctx.meta`` which command its arguments run."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and command is not None:
            ctx.meta[REQUESTED] = requested_path(name, command, ctx, rest)
        return name, command, rest


def requested_path(
    name: str, command: click.Command, parent: click.Context, args: Sequence[str]
) -> tuple[str, ...] | None:
    """The names from ``command`` down to the command that runs (``("topics", "plan")``).

    None when the arguments ask for help at any level, name a group without its command,
    or are refused by click (unknown command or option, bad value): then nothing runs.
    Help is looked for with resilient parsing, so nothing is printed and no eager option acts.
    """
    path = [name]
    while True:
        try:
            ctx = command.make_context(name, list(args), parent=parent, resilient_parsing=True)
        except click.ClickException:
            return None
        if asks_for_help(ctx):
            return None
        if not isinstance(command, click.Group):
            return tuple(path) if _parses(command, name, args, parent) else None
        below = _subcommand_args(args, ctx)
        if not below:
            return None  # a group without its command prints its help
        try:
            found_name, found, args = command.resolve_command(ctx, below)
        except click.ClickException:
            return None
        if found_name is None or found is None:
            return None
        name, command, parent = found_name, found, ctx
        path.append(name)


def asks_for_help(ctx: click.Context) -> bool:
    """True when the command line gave ``ctx``'s command its help option."""
    option = ctx.command.get_help_option(ctx)
    return (
        option is not None
        and option.name is not None
        and ctx.get_parameter_source(option.name) is ParameterSource.COMMANDLINE
    )


def _parses(command: click.Command, name: str, args: Sequence[str], parent: click.Context) -> bool:
    """True when click accepts ``args`` for ``command`` (resilient parsing lets bad values and
    unknown options pass; this parse runs the options' checks, and prints nothing)."""
    try:
        command.make_context(name, list(args), parent=parent)
    except click.ClickException:
        return False
    return True


def _subcommand_args(args: Sequence[str], ctx: click.Context) -> list[str]:
    """A group's subcommand name and its arguments: a group stops parsing its own options at
    its command's name, so they are the end of ``args``, the name just before ``ctx.args``."""
    start = len(args) - len(ctx.args) - 1
    return list(args[start:]) if start >= 0 else []
