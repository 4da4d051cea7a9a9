"""The projector's start-up migration check against a real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command

from mediawatch_store import ensure_migrated
from mediawatch_store.migrate import alembic_config, script_heads, stored_heads

pytestmark = pytest.mark.integration


@pytest.fixture
def new_schema(database_url: str) -> Iterator[str]:
    """A schema name nothing has created yet; dropped afterwards if something did."""
    name = f"test_start_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(database_url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_a_new_schema_is_migrated_once_then_only_checked(
    database_url: str, new_schema: str
) -> None:
    assert stored_heads(database_url, new_schema) == frozenset()

    assert ensure_migrated(database_url, new_schema) is True
    assert stored_heads(database_url, new_schema) == script_heads()
    assert ensure_migrated(database_url, new_schema) is False


def test_a_schema_behind_the_scripts_is_migrated(database_url: str, new_schema: str) -> None:
    ensure_migrated(database_url, new_schema)
    command.downgrade(alembic_config(database_url, new_schema), "0002")
    assert stored_heads(database_url, new_schema) == frozenset({"0002"})

    assert ensure_migrated(database_url, new_schema) is True
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            f"SELECT \"{new_schema}\".session_status_after('failed', 'unless_failed', 'active')"
        ).fetchone()
    assert found == ("failed",)
