"""``mediawatch users``: manage the query API's accounts."""

from __future__ import annotations

import sys

import click

from mediawatch_api.users.accounts import ROLES, add_user
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.settings import Settings
from mediawatch_store import make_engine, upgrade
from mediawatch_store.settings import database_url


@click.group()
def users() -> None:
    """Accounts of the query API."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_settings
def add(settings: Settings, name: str, role: str, password_stdin: bool) -> None:
    """Create NAME (or replace its password and role); the password is prompted for."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    url, schema = database_url(settings), settings.database.schema_name
    upgrade(url, schema)
    engine = make_engine(url, schema, pool_size=1)
    try:
        with engine.begin() as conn:
            add_user(conn, name, password, role)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"user {name} ({role}) saved")
