"""Run the Alembic migrations programmatically, into a chosen schema."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

from mediawatch_store.engine import connect

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def alembic_config(url: str, schema: str) -> Config:
    """An Alembic configuration for ``schema`` (no ini file needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, schema: str, revision: str = "head") -> None:
    """Create ``schema`` if needed and migrate it to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url, schema), revision)


def script_heads(versions: Path = MIGRATIONS / "versions") -> frozenset[str]:
    """The head revisions of the migration scripts, read from their source without Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update((down,) if isinstance(down, str) else (down or ()))
    return frozenset(revisions - parents)


def stored_heads(url: str, schema: str) -> frozenset[str]:
    """The revisions recorded in ``schema`` (empty when it has never been migrated)."""
    query = sql.SQL("SELECT version_num FROM {}.alembic_version").format(sql.Identifier(schema))
    with connect(url, schema) as conn:
        try:
            return frozenset(str(row[0]) for row in conn.execute(query).fetchall())
        except psycopg.errors.UndefinedTable:
            return frozenset()


def ensure_migrated(url: str, schema: str) -> bool:
    """Migrate ``schema`` to the head unless it is there already; True when it migrated.

    Checking the stored revision with one query, instead of loading Alembic and SQLAlchemy,
    keeps a service's start-up short in the common case.
    """
    if stored_heads(url, schema) == script_heads():
        return False
    upgrade(url, schema)
    return True
