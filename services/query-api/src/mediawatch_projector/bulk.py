"""Batched writes: COPY, and COPY into a staging table followed by one upsert.

With column ``types``, rows go in COPY's binary format: PostgreSQL then skips parsing the
text of timestamps, numbers and uuids, which is most of its cost per row besides ``jsonb``.
In binary COPY a ``uuid`` value may be its canonical text (as the projector decodes
``event_id``) and a ``jsonb`` value is JSON text, ``str`` or ``bytes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format

Connection = psycopg.Connection[Any]
Row = tuple[Any, ...]


class _UuidDumper(Dumper):
    """Binary ``uuid`` from a :class:`~uuid.UUID` or its canonical text."""

    format = Format.BINARY
    oid = postgres.types["uuid"].oid

    def dump(self, obj: Any) -> bytes:
        if isinstance(obj, UUID):
            return obj.bytes
        return bytes.fromhex(obj.replace("-", ""))


class _JsonbTextDumper(Dumper):
    """Binary ``jsonb`` from JSON text that is already encoded (format version 1)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + (obj if isinstance(obj, bytes) else obj.encode())


def copy_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    types: Sequence[str] | None = None,
) -> None:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; binary when ``types`` (the
    PostgreSQL type of each column) are given."""
    if not rows:
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor() as cur:
        if types:
            statement += " (FORMAT BINARY)"
            cur.adapters.register_dumper(None, _UuidDumper)
            cur.adapters.register_dumper(None, _JsonbTextDumper)
        with cur.copy(statement) as cp:
            if types:
                cp.set_types(list(types))
            for row in rows:
                cp.write_row(row)


def upsert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    conflict: str,
    types: Sequence[str] | None = None,
    order_by: str | None = None,
) -> None:
    """COPY into a temporary table of ``columns``, then one INSERT ... ON CONFLICT, which
    takes the rows in ``order_by`` order when given.

    The temporary table has the columns only, without constraints or defaults: it lives as long
    as the connection, and a default it copied (``nextval`` of a sequence) would break once a
    rebuild swapped the schema it came from. The target table applies its own.
    """
    if not rows:
        return
    names = ", ".join(columns)
    staging = f"staging_{table}"
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "  # noqa: S608 - constant identifiers
        f"AS SELECT {names} FROM {table} WITH NO DATA"
    )
    copy_rows(conn, staging, columns, rows, types)
    order = f" ORDER BY {order_by}" if order_by else ""
    conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}{order} "  # noqa: S608 - constant identifiers
        f"ON CONFLICT {conflict}"
    )
