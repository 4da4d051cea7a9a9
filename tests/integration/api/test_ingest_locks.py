"""The ingest's claim and settle statements against each other: both lock the claims table
before the event ids table, and the event id rows in id order, so that two requests
overlapping on ids wait for each other instead of deadlocking."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from mediawatch_api.ingest import ClaimStore
from mediawatch_store import connect, make_engine
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration


class Session:
    """A ``ClaimStore`` whose connections PostgreSQL knows by a name of their own."""

    def __init__(self, database_url: str, schema: str) -> None:
        self.name = f"ingest-locks-{uuid.uuid4().hex[:10]}"
        separator = "&" if "?" in database_url else "?"
        url = f"{database_url}{separator}application_name={self.name}"
        self.engine: Engine = make_engine(url, schema, pool_size=1)
        self.store = ClaimStore(self.engine, 30.0)
        self.failures: list[BaseException] = []
        self._thread: threading.Thread | None = None

    def start(self, step: Callable[[ClaimStore], object]) -> None:
        def run() -> None:
            try:
                step(self.store)
            except BaseException as exc:  # reported by the test thread
                self.failures.append(exc.__cause__ or exc)

        self._thread = threading.Thread(target=run)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=30)
            assert not self._thread.is_alive(), f"{self.name} did not finish"

    def waiting_on_a_lock(self, database_url: str) -> bool:
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = %s AND wait_event_type = 'Lock'",
                (self.name,),
            ).fetchone()
        return row is not None and row[0] > 0

    def locks(self, database_url: str, schema: str) -> dict[str, bool]:
        """The tables of ``schema`` this session has a lock on (or waits for): granted or not."""
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT c.relname, l.granted FROM pg_locks l "
                "JOIN pg_stat_activity a USING (pid) JOIN pg_class c ON c.oid = l.relation "
                "WHERE a.application_name = %s AND l.locktype = 'relation' "
                "AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s) "
                "AND c.relkind = 'r'",
                (self.name, schema),
            ).fetchall()
        return {str(name): bool(granted) for name, granted in rows}


@pytest.fixture
def sessions(database_url: str, schema: str) -> Iterator[Callable[[], Session]]:
    made: list[Session] = []

    def make() -> Session:
        made.append(Session(database_url, schema))
        return made[-1]

    yield make
    for session in made:
        session.join()
        session.engine.dispose()


def test_claim_and_settle_lock_the_claims_table_first(
    database_url: str, schema: str, sessions: Callable[[], Session]
) -> None:
    ids = sorted(uuid.uuid4() for _ in range(2))
    claim = uuid.uuid4()
    claiming, settling = sessions(), sessions()
    blocker = connect(database_url, schema)
    try:
        blocker.execute("LOCK TABLE ingest_event_ids IN ACCESS EXCLUSIVE MODE")
        claiming.start(lambda store: store.claim(ids, claim))
        settling.start(lambda store: store.settle(uuid.uuid4(), [ids[0]], [ids[1]]))
        for session in (claiming, settling):
            assert wait_for(functools.partial(session.waiting_on_a_lock, database_url), 10)
            # Waiting for the event ids table while holding the claims table: taken first.
            assert session.locks(database_url, schema) == {
                "ingest_claims": True,
                "ingest_event_ids": False,
            }
    finally:
        blocker.rollback()
        blocker.close()
    for session in (claiming, settling):
        session.join()
        assert not session.failures, repr(session.failures)


@pytest.mark.parametrize(
    ("failed", "unknown"), [((1, 2), (0, 3)), ((0, 3), (1, 2))], ids=["park-ends", "release-ends"]
)
def test_a_claim_and_a_settle_of_overlapping_ids_both_finish(
    database_url: str,
    schema: str,
    sessions: Callable[[], Session],
    failed: tuple[int, ...],
    unknown: tuple[int, ...],
) -> None:
    ids = sorted(uuid.uuid4() for _ in range(4))
    first, second = uuid.uuid4(), uuid.uuid4()
    settling, claiming = sessions(), sessions()
    assert settling.store.claim(ids, first) == set(ids)
    # A third transaction holds ids[2]: the claim of ids[1:] locks ids[1] and waits there,
    # and the settle then reaches the ids the claim holds or is about to take.
    blocker = connect(database_url, schema)
    try:
        blocker.execute("SELECT 1 FROM ingest_event_ids WHERE event_id = %s FOR UPDATE", (ids[2],))
        won: list[set[uuid.UUID]] = []
        claiming.start(lambda store: won.append(store.claim(ids[1:], second)))
        assert wait_for(lambda: claiming.waiting_on_a_lock(database_url), 10)
        settling.start(
            lambda store: store.settle(first, [ids[i] for i in failed], [ids[i] for i in unknown])
        )
        assert wait_for(lambda: settling.waiting_on_a_lock(database_url), 10)
    finally:
        blocker.rollback()
        blocker.close()
    claiming.join()
    settling.join()
    assert not claiming.failures, f"the claim failed: {claiming.failures[0]!r}"
    assert not settling.failures, f"the settle failed: {settling.failures[0]!r}"
    assert won == [set()]  # every id was held by the first claim, live
    with connect(database_url, schema) as conn:
        left = {row[0] for row in conn.execute("SELECT event_id FROM ingest_event_ids")}
        state = conn.execute("SELECT state FROM ingest_claims WHERE claim = %s", (first,))
        assert state.fetchone() == ("produced",)
    assert left == {ids[i] for i in unknown}  # released ids deleted, unknown ones parked
    assert settling.store.produced(ids) == set()
