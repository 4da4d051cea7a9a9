"""The one definition of a stuck session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_common.stuck import is_stuck, stuck_cutoff

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_cutoff_is_now_minus_the_minutes() -> None:
    assert stuck_cutoff(NOW, 30) == NOW - timedelta(minutes=30)


@pytest.mark.parametrize(
    ("age", "finished", "stuck"),
    [
        (timedelta(hours=2), False, True),  # busy or silent: the start alone decides
        (timedelta(minutes=30, microseconds=1), False, True),
        (timedelta(minutes=30), False, False),  # exactly the limit is not more than it
        (timedelta(minutes=29), False, False),
        (timedelta(0), False, False),
        (timedelta(hours=2), True, False),  # a finished session is never stuck
    ],
)
def test_stuck_means_started_more_than_the_minutes_ago_and_unfinished(
    age: timedelta, finished: bool, stuck: bool
) -> None:
    assert is_stuck(NOW - age, finished, NOW, 30) is stuck
