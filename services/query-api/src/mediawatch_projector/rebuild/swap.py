"""The switch: one transaction that puts the rebuilt schema in place of the live one.

PostgreSQL DDL is transactional, so readers see either the old tables or the new ones, never
a mix. The live projector is held on its positions table meanwhile (an exclusive table lock, so
it waits *before* resolving the table): when it resumes, PostgreSQL looks the name up again and
finds the rebuilt table, whose stored positions tell it which of its records are already there.

The switch then takes every other live table at once or not at all: each attempt waits a short
``lock_timeout`` and gives back what it got before the next one. Waiting on one table while
holding another could close a cycle with a writer that takes them in another order, and
PostgreSQL would end the cycle by aborting one side, possibly the switch and the whole rebuild
with it.
Between attempts it keeps only the positions table, which its writer (the projector) locks
before any other. Holding them all, the copy of the kept tables and the drop wait for no one:
logins, ingest requests and readers wait for the switch and then find the rebuilt tables.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg
from psycopg import errors, sql

from mediawatch_projector.batch_writes import Positions

log = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]

# State that is not derived from events: carried over from the live schema at the switch.
# The ingest's event ids keep a batch resent across a rebuild from being appended twice.
KEPT_TABLES = ("users", "audit_log", "ingest_claims", "ingest_event_ids")
# How long one attempt at locking the live tables waits (under PostgreSQL's default
# deadlock_timeout of 1 s, so a cycle is broken by the switch giving way), and the pause after.
LOCK_ATTEMPT = "100ms"
LOCK_PAUSE_SECONDS = 0.05


def staging_schema(schema: str) -> str:
    """Where a rebuild of ``schema`` is written before the switch."""
    return f"{schema}_rebuild"


def hold_live_positions(conn: Connection, schema: str, group: str) -> Positions:
    """Lock the live projector's positions table (it waits) and return its positions."""
    if not _exists(conn, schema):
        return {}
    table = sql.SQL("{}.consumer_positions").format(sql.Identifier(schema))
    conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))
    query = sql.SQL("SELECT topic, partition, next_offset FROM {} WHERE group_id = %s").format(
        table
    )
    rows = conn.execute(query, (group,)).fetchall()
    return {(topic, partition): offset for topic, partition, offset in rows}


def switch(conn: Connection, schema: str, staging: str) -> None:
    """Carry the kept tables over, drop the live schema and rename the staging one to it."""
    live, new = sql.Identifier(schema), sql.Identifier(staging)
    if _exists(conn, schema):
        tables = _tables(conn, schema)
        _lock_all(conn, schema, tables)
        # A live schema that predates a kept table's migration has none of its rows to keep.
        for table in (table for table in KEPT_TABLES if table in tables):
            name = sql.Identifier(table)
            conn.execute(sql.SQL("DELETE FROM {}.{}").format(new, name))
            conn.execute(
                sql.SQL("INSERT INTO {}.{} SELECT * FROM {}.{}").format(new, name, live, name)
            )
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "COALESCE((SELECT max(id) FROM {}.audit_log), 0) + 1, false)"
            ).format(new),
            (f"{staging}.audit_log",),
        )
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(live))
    conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(new, live))


def drop_staging(conn: Connection, staging: str) -> None:
    """Remove a staging schema left by an earlier, interrupted rebuild."""
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(staging)))


def _lock_all(conn: Connection, schema: str, tables: list[str]) -> None:
    """Lock ``tables`` of ``schema`` in ACCESS EXCLUSIVE mode, all of them or, while an
    attempt times out, none: retried until they are all held."""
    names = sql.SQL(", ").join(
        sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(t)) for t in tables
    )
    statement = sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(names)
    previous = conn.execute("SELECT current_setting('lock_timeout')").fetchone()
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (LOCK_ATTEMPT,))
    waited = False
    while True:
        try:
            with conn.transaction():  # a savepoint: a failed attempt releases what it got
                conn.execute(statement)
            break
        except (errors.LockNotAvailable, errors.DeadlockDetected):
            if not waited:
                log.info("switch waiting for the live tables to be free", extra={"schema": schema})
                waited = True
            time.sleep(LOCK_PAUSE_SECONDS)
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous[0] if previous else "0",))


def _tables(conn: Connection, schema: str) -> list[str]:
    """The tables of ``schema``, which the switch drops."""
    rows = conn.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = %s) "
        "AND relkind IN ('r', 'p') ORDER BY relname",
        (schema,),
    ).fetchall()
    return [row[0] for row in rows]


def _exists(conn: Connection, schema: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name = 'consumer_positions'",
        (schema,),
    ).fetchone()
    return found is not None
