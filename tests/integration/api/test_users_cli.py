"""`mediawatch users add | list | remove` against a schema of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from mediawatch_api.users import authenticate
from mediawatch_store import make_engine

pytestmark = pytest.mark.integration

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))


def _users(database_url: str, schema: str, *args: str, stdin: str = "") -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DATABASE_SCHEMA": schema}
    done = subprocess.run(
        [MEDIAWATCH, "users", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_accounts_are_listed_and_a_removed_one_cannot_log_in(
    database_url: str, schema: str
) -> None:
    for name, role in (("ops", "admin"), ("uploads", "producer")):
        code, out = _users(database_url, schema, "add", name, "--role", role,
                           "--password-stdin", stdin="a-long-password\n")  # fmt: skip
        assert code == 0, out

    code, out = _users(database_url, schema, "list")
    assert code == 0, out
    assert out.splitlines() == ["ops\tadmin", "uploads\tproducer"]

    code, out = _users(database_url, schema, "remove", "uploads")
    assert code == 0, out
    code, out = _users(database_url, schema, "list")
    assert out.splitlines() == ["ops\tadmin"]
    engine = make_engine(database_url, schema, pool_size=1)
    try:
        with engine.connect() as conn:
            assert authenticate(conn, "uploads", "a-long-password") is None
            assert authenticate(conn, "ops", "a-long-password") is not None
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
    finally:
        engine.dispose()


def test_removing_an_unknown_account_fails_naming_it(database_url: str, schema: str) -> None:
    code, out = _users(database_url, schema, "remove", "ghost")
    assert code == 1
    assert "no user ghost" in out


@pytest.mark.parametrize("command", [["list"], ["remove", "ana"]])
def test_an_unreachable_database_is_one_line_without_the_password(command: list[str]) -> None:
    closed = "postgresql://mediawatch:not-to-be-printed@127.0.0.1:1/mediawatch"
    code, out = _users(closed, "public", *command)
    assert code == 1
    assert "Error: PostgreSQL unreachable: connection failed" in out
    assert "Traceback" not in out
    assert "not-to-be-printed" not in out


def test_a_database_url_of_another_kind_is_a_usage_error() -> None:
    code, out = _users("mysql://127.0.0.1/mediawatch", "public", "list")
    assert code == 2
    assert "DATABASE_URL must start with postgresql://" in out
