from __future__ import annotations

from datetime import timedelta

import pytest

from mediawatch_common.durations import parse_duration

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("1.5d", timedelta(hours=36)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        ("0.5s", timedelta(milliseconds=500)),
        (" 2 h ", timedelta(hours=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_an_age_may_be_zero() -> None:
    assert parse_duration("0m", allow_zero=True) == timedelta(0)
    with pytest.raises(ValueError, match="not a duration: '-1h'"):
        parse_duration("-1h", allow_zero=True)


@pytest.mark.parametrize(
    "text", ["", "2", "0h", "0.0m", "-1h", "2 hours", "h", "1.5.2d", "2H", "1y", "2h30m"]
)
def test_anything_else_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match=f"not a duration: {text!r}") as refused:
        parse_duration(text)
    assert "1.5d" in str(refused.value)  # the message shows what is accepted
