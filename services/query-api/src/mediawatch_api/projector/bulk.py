"""Batched writes: COPY, and COPY into a staging table followed by one upsert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

Connection = psycopg.Connection[Any]
Row = tuple[Any, ...]


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def upsert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Row], conflict: str
) -> None:
    """COPY into a temporary twin of ``table``, then one INSERT ... ON CONFLICT."""
    if not rows:
        return
    names = ", ".join(columns)
    staging = f"staging_{table}"
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
        f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    copy_rows(conn, staging, columns, rows)
    conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ON CONFLICT {conflict}"  # noqa: S608 - constant identifiers
    )
