"""Per-partition contiguous commits of jobs that run at once, and the concurrency setting."""

from __future__ import annotations

import pytest

from mediawatch_common.settings import SettingsError
from mediawatch_transcoder.offsets import OffsetTracker
from mediawatch_transcoder.settings import load_transcoder_settings

pytestmark = pytest.mark.unit

P0, P1 = ("jobs", 0), ("jobs", 1)


def test_commits_only_up_to_the_oldest_unfinished_job() -> None:
    tracker = OffsetTracker()
    tickets = {offset: tracker.take(P0, offset) for offset in (10, 11, 12)}
    assert tracker.committable() == {P0: 10}
    tracker.committed({P0: 10})

    assert tracker.finish(P0, 12, tickets[12])
    assert tracker.finish(P0, 11, tickets[11])
    assert tracker.committable() == {}  # 10 still runs: nothing past it is committed

    assert tracker.finish(P0, 10, tickets[10])
    assert tracker.committable() == {P0: 13}
    tracker.committed({P0: 13})
    assert tracker.committable() == {}
    assert tracker.unfinished() == 0


def test_partitions_advance_independently_and_skipped_messages_count_as_finished() -> None:
    tracker = OffsetTracker()
    slow = tracker.take(P0, 0)
    tracker.skip(P0, 1)
    fast = tracker.take(P1, 5)
    tracker.finish(P1, 5, fast)
    assert tracker.committable() == {P0: 0, P1: 6}
    tracker.committed({P0: 0, P1: 6})
    tracker.finish(P0, 0, slow)
    assert tracker.committable() == {P0: 2}
    assert tracker.committable(only={P1}) == {}


def test_a_job_that_gave_up_holds_its_partition_back() -> None:
    tracker = OffsetTracker()
    tracker.take(P0, 3)  # abandoned on SIGTERM: never finished
    tracker.finish(P0, 4, tracker.take(P0, 4))
    assert tracker.committable() == {P0: 3}
    assert tracker.unfinished() == 1


def test_a_finish_from_before_a_revocation_changes_nothing() -> None:
    tracker = OffsetTracker()
    old = tracker.take(P0, 7)
    tracker.forget({P0})
    assert not tracker.finish(P0, 7, old)
    new = tracker.take(P0, 7)  # delivered again after the partition came back
    assert not tracker.finish(P0, 7, old)
    assert tracker.committable() == {P0: 7}
    assert tracker.finish(P0, 7, new)
    assert tracker.committable() == {P0: 8}


@pytest.mark.parametrize("value", ["0", "33", "-1", "many"])
def test_concurrency_outside_its_bounds_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="TRANSCODER_CONCURRENCY"):
        load_transcoder_settings({"TRANSCODER_CONCURRENCY": value})


def test_concurrency_defaults_to_one_job() -> None:
    assert load_transcoder_settings({}).concurrency == 1
    assert load_transcoder_settings({"TRANSCODER_CONCURRENCY": "32"}).concurrency == 32
