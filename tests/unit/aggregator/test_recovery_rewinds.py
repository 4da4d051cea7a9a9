"""Where changelog partitions go back to when Faust drops records fetched while stopped."""

from __future__ import annotations

import pytest
from faust.types import TP

from mediawatch_aggregator.runtime.faust_transport import recovery_rewinds

pytestmark = pytest.mark.unit

CHANGELOG_0 = TP("agg-state-changelog", 0)
CHANGELOG_1 = TP("agg-state-changelog", 1)
BATCHES_0 = TP("agg-stage-batches", 0)


def test_a_dropped_changelog_partition_goes_back_to_what_the_recovery_applied() -> None:
    # Partition 0 was sought to its start (nothing applied yet), partition 1 had applied 18.
    reading = {CHANGELOG_0: -1, CHANGELOG_1: 18}
    rewinds = recovery_rewinds([CHANGELOG_0, CHANGELOG_1, BATCHES_0], reading, in_recovery=True)
    assert rewinds == {CHANGELOG_0: 0, CHANGELOG_1: 18}


def test_stream_partitions_and_partitions_the_recovery_does_not_read_are_left_alone() -> None:
    # Stream partitions are sought back to their commits by Faust itself.
    assert recovery_rewinds([BATCHES_0, CHANGELOG_1], {CHANGELOG_0: 4}, in_recovery=True) == {}


def test_a_partition_whose_start_is_not_built_yet_is_left_to_the_recovery() -> None:
    # Between a rebalance and the recovery's offsets being built, Faust holds None there.
    assert recovery_rewinds([CHANGELOG_0], {CHANGELOG_0: None}, in_recovery=True) == {}


def test_nothing_moves_outside_a_recovery() -> None:
    # The changelog partitions are paused once recovered; the next recovery positions them.
    assert recovery_rewinds([CHANGELOG_0], {CHANGELOG_0: 7}, in_recovery=False) == {}
