"""``mediawatch users``: manage the query API's accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from mediawatch_api.users.accounts import ROLES, add_user, list_users, remove_user
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.settings import Settings
from mediawatch_store import make_engine, upgrade
from mediawatch_store.settings import database_url


@contextmanager
def _accounts(settings: Settings) -> Iterator[Connection]:
    """A transaction on the migrated schema of the accounts; a malformed DATABASE_URL or an
    unreachable PostgreSQL is a one-line error, not a traceback."""
    url, schema = database_url(settings), settings.database.schema_name
    try:
        engine = make_engine(url, schema, pool_size=1)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        upgrade(url, schema)
        with engine.begin() as conn:
            yield conn
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else "connection failed"
        raise click.ClickException(f"PostgreSQL unreachable: {reason}") from None
    finally:
        engine.dispose()


@click.group()
def users() -> None:
    """Accounts of the query API."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_settings
def add(settings: Settings, name: str, role: str, password_stdin: bool) -> None:
    """Create NAME (or replace its password and role); the password is prompted for.

    Replacing the password ends the tokens issued before it, within API_ACCOUNT_CHECK_SECONDS.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _accounts(settings) as conn:
            add_user(conn, name, password, role)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"user {name} ({role}) saved")


@users.command("list")
@pass_settings
def list_(settings: Settings) -> None:
    """Print every account with its role, one per line."""
    with _accounts(settings) as conn:
        for user in list_users(conn):
            click.echo(f"{user.username}\t{user.role}")


@users.command("remove")
@click.argument("name")
@pass_settings
def remove(settings: Settings, name: str) -> None:
    """Delete NAME: it can no longer log in, and the API refuses the tokens it holds within
    API_ACCOUNT_CHECK_SECONDS."""
    with _accounts(settings) as conn:
        if not remove_user(conn, name):
            raise click.ClickException(f"no user {name}")
    click.echo(f"user {name} removed; its tokens stop working within API_ACCOUNT_CHECK_SECONDS")
