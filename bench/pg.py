"""PostgreSQL for the benchmarks: the URL, fresh schemas dropped at the end of the run."""

from __future__ import annotations

import os
import subprocess

from psycopg import sql

from bench.model import REPO, Context
from mediawatch_store import connect, upgrade


def database_url() -> str:
    """``DATABASE_URL``, or the local cluster's (``infra/stack/postgres.sh url``)."""
    found = os.environ.get("DATABASE_URL")
    if found:
        return found
    done = subprocess.run(
        ["bash", str(REPO / "infra/stack/postgres.sh"), "url"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def drop_schema(url: str, schema: str) -> None:
    with connect(url, "public") as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.commit()


def fresh_schema(ctx: Context, url: str, name: str, migrate: bool = True) -> str:
    """Schema ``name`` (migrated to head unless ``migrate`` is false), dropped at cleanup."""
    ctx.defer(lambda: drop_schema(url, name))
    if migrate:
        upgrade(url, name)
    else:
        with connect(url, "public") as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
            conn.commit()
    return name
