"""The switch: one transaction that puts the rebuilt schema in place of the live one.

PostgreSQL DDL is transactional, so readers see either the old tables or the new ones, never
a mix. The live projector is held on its positions table meanwhile (an exclusive table lock, so
it waits *before* resolving the table): when it resumes, PostgreSQL looks the name up again and
finds the rebuilt table, whose stored positions tell it which of its records are already there.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from mediawatch_projector.batch_writes import Positions

Connection = psycopg.Connection[Any]

# State that is not derived from events: carried over from the live schema at the switch.
# The ingest's event ids keep a batch resent across a rebuild from being appended twice.
KEPT_TABLES = ("users", "audit_log", "ingest_claims", "ingest_event_ids")


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
        kept = [table for table in KEPT_TABLES if _has_table(conn, schema, table)]
        # Writers of the kept tables (logins, the ingest) wait for the switch rather than
        # write rows the copy would miss; they then find the rebuilt tables.
        for table in kept:
            name = sql.Identifier(table)
            conn.execute(sql.SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(live, name))
        for table in kept:
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


def _has_table(conn: Connection, schema: str, table: str) -> bool:
    """Whether ``schema`` has ``table`` (a live schema may predate a kept table's migration)."""
    found = conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
        (schema, table),
    ).fetchone()
    return found is not None


def _exists(conn: Connection, schema: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name = 'consumer_positions'",
        (schema,),
    ).fetchone()
    return found is not None
