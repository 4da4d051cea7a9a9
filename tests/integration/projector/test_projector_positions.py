"""Two members of the projector's group write at the same time: each locks only the stored
positions of its batch's partitions."""

from __future__ import annotations

import psycopg
import pytest

from mediawatch_projector.batch_writes import lock_positions
from mediawatch_store import connect

pytestmark = pytest.mark.integration


def test_a_member_locks_only_its_own_partitions(database_url: str, schema: str) -> None:
    with connect(database_url, schema) as setup:
        setup.execute(
            "INSERT INTO consumer_positions (group_id, topic, partition, next_offset) "
            "VALUES ('g', 't', 0, 10), ('g', 't', 1, 20), ('other', 't', 0, 5)"
        )
        setup.commit()
    with connect(database_url, schema) as first, connect(database_url, schema) as second:
        second.execute("SET lock_timeout = '500ms'")
        held = lock_positions(first, "g", {("t", 0): 11})  # transaction left open

        beside = lock_positions(second, "g", [("t", 1)])
        second.commit()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            lock_positions(second, "g", [("t", 0)])
        second.rollback()
        first.commit()
        after = lock_positions(second, "g", [("t", 0), ("t", 1)])
        nothing = lock_positions(second, "g", [])
        second.commit()

    assert held == {("t", 0): 10}
    assert beside == {("t", 1): 20}
    assert after == {("t", 0): 10, ("t", 1): 20}
    assert nothing == {}
