"""The rebuild's switch against the writers of the tables it carries over."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from mediawatch_api.ingest import ClaimStore
from mediawatch_api.users.accounts import add_user
from mediawatch_projector.rebuild.swap import KEPT_TABLES, staging_schema, switch
from mediawatch_store import connect, make_engine, upgrade
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

# A writer's two statements, taking the two ingest tables in either order (the ingest's
# statements take ingest_claims first; a writer taking them the other way round holds
# ingest_event_ids while it waits for ingest_claims).
CLAIM_ROW = "INSERT INTO ingest_claims VALUES (%(claim)s, 'produced', now())"
ID_ROW = "INSERT INTO ingest_event_ids VALUES (%(id)s, %(claim)s, now())"


@pytest.fixture
def schemas(database_url: str) -> Iterator[tuple[str, str]]:
    schema = f"sw_{uuid.uuid4().hex[:8]}"
    yield schema, staging_schema(schema)
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in (schema, staging_schema(schema)):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _waiting_on_a_lock(url: str, pid: int) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.parametrize(
    ("first", "second"), [(CLAIM_ROW, ID_ROW), (ID_ROW, CLAIM_ROW)], ids=["claim", "settle"]
)
def test_a_writer_holding_one_ingest_table_finishes_and_its_rows_are_carried_over(
    database_url: str, schemas: tuple[str, str], first: str, second: str
) -> None:
    schema, staging = schemas
    upgrade(database_url, schema)
    upgrade(database_url, staging)
    rows = {"claim": uuid.uuid4(), "id": uuid.uuid4()}
    writer = connect(database_url, schema)
    writer.execute(first, rows)  # holds its first table until it commits
    switching = connect(database_url, schema)
    failures: list[BaseException] = []

    def run_switch() -> None:
        try:
            with switching.transaction():
                switch(switching, schema, staging)
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    thread = threading.Thread(target=run_switch)
    thread.start()
    try:
        assert wait_for(lambda: _waiting_on_a_lock(database_url, switching.info.backend_pid), 10)
        writer.execute(second, rows)  # the other table, which the switch may hold meanwhile
        writer.commit()
    finally:
        writer.close()
        thread.join(timeout=30)
        switching.close()
    assert not failures, f"the switch failed: {failures[0]!r}"
    with connect(database_url, schema) as conn:
        claims = conn.execute("SELECT claim FROM ingest_claims").fetchall()
        ids = conn.execute("SELECT event_id, claim FROM ingest_event_ids").fetchall()
    assert claims == [(rows["claim"],)]
    assert ids == [(rows["id"], rows["claim"])]


def test_a_live_schema_older_than_the_ingest_tables_keeps_its_users(
    database_url: str, schemas: tuple[str, str]
) -> None:
    schema, staging = schemas
    upgrade(database_url, schema, "0011")
    upgrade(database_url, staging)
    engine = make_engine(database_url, schema, pool_size=1)
    with engine.begin() as accounts:
        add_user(accounts, "ops", "a long enough password", "admin")
    engine.dispose()
    with connect(database_url, schema) as conn, conn.transaction():
        switch(conn, schema, staging)
    with connect(database_url, schema) as conn:
        users = conn.execute("SELECT username FROM users").fetchall()
        ids = conn.execute("SELECT count(*) FROM ingest_event_ids").fetchone()
        # Copied into the rebuilt table, whose definition is the newer one.
        conn.execute("INSERT INTO users VALUES ('pipeline', 'x', 'producer', now())")
    assert users == [("ops",)]
    assert ids == (0,)


def _oids(conn: psycopg.Connection[Any], schema: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT relname, oid FROM pg_class WHERE relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = %s) AND relkind = 'r'",
        (schema,),
    ).fetchall()
    return {str(name): int(oid) for name, oid in rows}


def test_a_live_schema_at_the_rebuilt_revision_moves_its_kept_tables_with_their_indexes(
    database_url: str, schemas: tuple[str, str]
) -> None:
    schema, staging = schemas
    upgrade(database_url, schema)
    upgrade(database_url, staging)
    engine = make_engine(database_url, schema, pool_size=1)
    with engine.begin() as accounts:
        add_user(accounts, "ops", "a long enough password", "producer")
    engine.dispose()
    produced = uuid.uuid4()
    with connect(database_url, schema) as conn:
        conn.execute(CLAIM_ROW, {"claim": produced})
        conn.execute(ID_ROW, {"id": produced, "claim": produced})
        conn.execute("INSERT INTO audit_log (action, outcome) VALUES ('login', 'ok')")
        conn.commit()
        before = _oids(conn, schema)
    with connect(database_url, staging) as conn:
        conn.execute("INSERT INTO users VALUES ('stale', 'x', 'viewer', now())")
        conn.commit()
        rebuilt = _oids(conn, staging)
    with connect(database_url, schema) as conn, conn.transaction():
        switch(conn, schema, staging)

    with connect(database_url, schema) as conn:
        after = _oids(conn, schema)
        # The kept tables are the live ones themselves; the others are the rebuilt ones.
        assert {t: after[t] for t in KEPT_TABLES} == {t: before[t] for t in KEPT_TABLES}
        assert {t: after[t] for t in after if t not in KEPT_TABLES} == {
            t: rebuilt[t] for t in rebuilt if t not in KEPT_TABLES
        }
        assert conn.execute("SELECT username, role FROM users").fetchall() == [("ops", "producer")]
        assert conn.execute("SELECT event_id FROM ingest_event_ids").fetchall() == [(produced,)]
        logged = conn.execute("INSERT INTO audit_log (action, outcome) VALUES ('x', 'ok') "
                              "RETURNING id").fetchone()  # fmt: skip
        assert logged == (2,)  # the table's own sequence came along
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
            conn.execute(ID_ROW, {"id": produced, "claim": uuid.uuid4()})
        with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
            conn.execute("INSERT INTO users VALUES ('x', 'x', 'nobody', now())")
        indexes = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND tablename = ANY(%s)",
            (schema, list(KEPT_TABLES)),
        ).fetchone()
        assert indexes == (6,)  # two primary keys, two BRIN, users' and audit_log's keys
    engine = make_engine(database_url, schema, pool_size=1)
    try:  # the ingest's own statements on the moved tables
        store = ClaimStore(engine, 30.0)
        fresh = uuid.uuid4()
        assert store.claim([produced, fresh], uuid.uuid4()) == {fresh}
        assert store.produced([produced, fresh]) == {produced}
    finally:
        engine.dispose()
