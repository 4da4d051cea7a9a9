"""The switch: one transaction that puts the rebuilt schema in place of the live one.

PostgreSQL DDL is transactional, so readers see either the old tables or the new ones, never
a mix. The live projector is held on its positions table meanwhile (an exclusive table lock, so
it waits *before* resolving the table): when it resumes, PostgreSQL looks the name up again and
finds the rebuilt table, whose stored positions tell it which of its records are already there.

The switch then takes every other live table at once or not at all: each attempt waits a short
``lock_timeout`` and gives back what it got before the next one. Waiting on one table while
holding another could close a cycle with a writer that takes them in another order, and
PostgreSQL would end the cycle by aborting one side, possibly the switch and the whole rebuild
with it. Between attempts it keeps only the positions table, which its writer (the projector)
locks before any other. Holding them all, the carrying over of the kept tables and the drop
wait for no one: logins, ingest requests and readers wait for the switch and then find the
rebuilt tables.

The kept tables are carried over in one of two ways, chosen by the Alembic revision each
schema records in its ``alembic_version`` table:

- the same revision: the live tables themselves are moved into the rebuilt schema (its empty
  copies dropped first) with ``ALTER TABLE ... SET SCHEMA``, which takes their indexes,
  constraints and sequences along and costs the same whatever their size;
- another one (a live schema behind the migrations the rebuild applied): their rows are
  copied into the rebuilt tables, which have the newer definitions; a kept table the live
  schema does not have yet is left empty. The copy takes time with the rows it copies.
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
    live = sql.Identifier(schema)
    if _exists(conn, schema):
        tables = _tables(conn, schema)
        _lock_all(conn, schema, tables)
        kept = [table for table in KEPT_TABLES if table in tables]
        revision = _revisions(conn, schema, tables)
        if revision and revision == _revisions(conn, staging, _tables(conn, staging)):
            _move(conn, schema, staging, kept)
        else:
            _copy(conn, schema, staging, kept)
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(live))
    conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(staging), live))


def _move(conn: Connection, schema: str, staging: str, tables: list[str]) -> None:
    """Put the live ``tables`` in place of the staging ones, rows, indexes and all."""
    for table in tables:
        # Without CASCADE: should anything of the rebuilt schema depend on the table, the
        # switch fails (and the live schema stays) rather than drop that silently.
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(staging, table)))
        conn.execute(
            sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
                sql.Identifier(schema, table), sql.Identifier(staging)
            )
        )


def _copy(conn: Connection, schema: str, staging: str, tables: list[str]) -> None:
    """Copy the rows of the live ``tables`` into the staging ones, which replace them."""
    for table in tables:
        live, new = sql.Identifier(schema, table), sql.Identifier(staging, table)
        conn.execute(sql.SQL("DELETE FROM {}").format(new))
        conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(new, live))
    conn.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "COALESCE((SELECT max(id) FROM {}), 0) + 1, false)"
        ).format(sql.Identifier(staging, "audit_log")),
        (f"{staging}.audit_log",),
    )


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


def _revisions(conn: Connection, schema: str, tables: list[str]) -> frozenset[str]:
    """The Alembic revisions ``schema`` (whose tables are ``tables``) records."""
    if "alembic_version" not in tables:
        return frozenset()
    query = sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(schema, "alembic_version"))
    return frozenset(str(row[0]) for row in conn.execute(query).fetchall())


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
