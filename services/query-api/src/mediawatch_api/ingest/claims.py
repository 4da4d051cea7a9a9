"""The ingest's claims on event ids in PostgreSQL, shared by every API process.

An id is *produced* when the claim holding it (``ingest_event_ids.claim``) is in state
``produced`` in ``ingest_claims``; a claim is marked so only once Kafka acknowledged every
event still held by it. Each step is one statement whatever the batch's size.

Every statement that writes both tables locks them in one order, so that two requests
overlapping on ids wait for each other instead of deadlocking: the ``ingest_claims`` table
(and the statement's own claim row) first, then ``ingest_event_ids`` and its rows in id
order. The claim inserts the sorted ids; the settle locks the ids it releases or parks with
one sorted ``SELECT ... FOR UPDATE`` before either change touches them (released first and
parked next, or the other way round, would hold a high id while waiting for a lower one that
a claim holds while waiting for the high one).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

CLAIM = text(
    "WITH c AS (INSERT INTO ingest_claims VALUES (CAST(:claim AS uuid), 'claimed', now())) "
    "INSERT INTO ingest_event_ids AS t (event_id, claim, claimed_at) "
    "SELECT id, CAST(:claim AS uuid), now() "
    "FROM unnest(CAST(:ids AS uuid[])) AS id ORDER BY id "
    "ON CONFLICT (event_id) DO UPDATE SET claim = excluded.claim, claimed_at = excluded.claimed_at "
    "WHERE t.claimed_at < now() - make_interval(secs => :stale) AND NOT EXISTS ("
    "  SELECT 1 FROM ingest_claims p WHERE p.claim = t.claim AND p.state = 'produced') "
    "RETURNING event_id"
)
SETTLE = text(
    "WITH confirmed AS (UPDATE ingest_claims SET state = 'produced' "
    "  WHERE claim = CAST(:claim AS uuid) RETURNING claim), "
    "held AS (SELECT event_id, event_id = ANY(CAST(:failed AS uuid[])) AS failed "
    "  FROM ingest_event_ids WHERE event_id = ANY(CAST(:settled AS uuid[])) "
    "  AND claim = CAST(:claim AS uuid) ORDER BY event_id FOR UPDATE), "
    "released AS (DELETE FROM ingest_event_ids t USING held h "
    "  WHERE t.event_id = h.event_id AND h.failed), "
    "parked AS (UPDATE ingest_event_ids t SET claim = CAST(:parked AS uuid) FROM held h "
    "  WHERE t.event_id = h.event_id AND NOT h.failed) "
    "SELECT count(*) FROM confirmed"
)
PRODUCED = text(
    "SELECT t.event_id FROM ingest_event_ids t JOIN ingest_claims p USING (claim) "
    "WHERE t.event_id = ANY(CAST(:ids AS uuid[])) AND p.state = 'produced'"
)
CUTOFF = text("SELECT now() - make_interval(secs => :age)")
PRUNE = {
    table: text(
        f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} "  # noqa: S608 - constants
        "WHERE claimed_at < :cutoff LIMIT :n FOR UPDATE SKIP LOCKED)"
    )
    # Ids first: an id is never left pointing at a pruned claim.
    for table, key in (("ingest_event_ids", "event_id"), ("ingest_claims", "claim"))
}


class ClaimStoreError(RuntimeError):
    """PostgreSQL did not answer or refused the statement (nothing of it took effect)."""


def _sorted(ids: Collection[uuid.UUID]) -> list[str]:
    return sorted(str(i) for i in ids)


@dataclass(frozen=True)
class ClaimStore:
    """Claims on event ids in ``engine``'s schema; a claim left unconfirmed for
    ``stale_seconds`` may be taken over."""

    engine: Engine
    stale_seconds: float

    @contextmanager
    def _statement(self) -> Iterator[Connection]:
        try:
            # Autocommit: each step is one statement, its own transaction, with no BEGIN and
            # COMMIT round trips around it.
            with self.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise ClaimStoreError(type(exc).__name__) from exc

    def claim(self, ids: Collection[uuid.UUID], claim: uuid.UUID) -> set[uuid.UUID]:
        """Make ``claim`` (a new one) hold every id no one holds and every stale unconfirmed
        one; the ids it now holds."""
        with self._statement() as conn:
            rows = conn.execute(
                CLAIM, {"ids": _sorted(ids), "claim": str(claim), "stale": self.stale_seconds}
            )
            return {row[0] for row in rows}

    def settle(
        self, claim: uuid.UUID, failed: Collection[uuid.UUID], unknown: Collection[uuid.UUID]
    ) -> None:
        """Release ``failed``, leave ``unknown`` unconfirmed (under a claim of their own) and
        confirm the rest of ``claim`` as produced, in one transaction."""
        params = {
            "claim": str(claim),
            "failed": _sorted(failed),
            "settled": _sorted([*failed, *unknown]),
            "parked": str(uuid.uuid4()),
        }
        with self._statement() as conn:
            conn.execute(SETTLE, params)

    def produced(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``ids`` already on the event log."""
        with self._statement() as conn:
            return {row[0] for row in conn.execute(PRODUCED, {"ids": _sorted(ids)})}

    def prune(self, older_than_seconds: float, batch: int) -> Iterator[int]:
        """Delete the rows claimed more than ``older_than_seconds`` ago, ``batch`` rows per
        statement; yields each statement's count, and stops when the caller stops asking."""
        with self._statement() as conn:
            cutoff = conn.execute(CUTOFF, {"age": older_than_seconds}).scalar_one()
        for statement in PRUNE.values():
            deleted = batch
            while deleted == batch:
                with self._statement() as conn:
                    deleted = conn.execute(statement, {"cutoff": cutoff, "n": batch}).rowcount
                yield deleted
