"""Dead letters: reason classes, positions, filters and which ones a re-drive refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mediawatch_common.deadletters import (
    DeadLetter,
    DeadLetterFilter,
    DeadLetterLog,
    choose,
    parse_position,
    reason_class,
)
from mediawatch_common.events import DeadLetterRedriven, Event, Producer

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)
WHO = Producer(service="cli", host="h", pid=1)


def letter(
    offset: int = 0,
    origin: str = "mw.pipeline",
    reason: str = "DecodeError: bad_marker",
    group: str = "mw.projector",
    at: datetime = T0,
    value: bytes = b"x",
) -> DeadLetter:
    return DeadLetter(
        topic="mw.deadletter",
        partition=0,
        offset=offset,
        timestamp_ms=0,
        key=b"k",
        value=value,
        headers=(),
        reason=reason,
        origin_topic=origin,
        origin_partition=0,
        origin_offset=7,
        consumer_group=group,
        failed_at=at,
    )


@pytest.mark.parametrize(
    ("reason", "cls"),
    [
        ("DecodeError: unknown_fingerprint: 00ff00ff00ff00ff", "DecodeError: unknown_fingerprint"),
        ("DecodeError: too_short", "DecodeError: too_short"),
        ("DecodeError: something new", "DecodeError"),
        ("KeyError: 'stage'", "KeyError"),
        ("", "unknown"),
    ],
)
def test_reason_class_drops_the_specifics(reason: str, cls: str) -> None:
    assert reason_class(reason) == cls


def test_positions_parse_with_or_without_a_partition() -> None:
    assert parse_position("17") == (0, 17)
    assert parse_position(" 2:40 ") == (2, 40)
    for bad in ("x", "1:y", "-1", ""):
        with pytest.raises(ValueError, match="not a position"):
            parse_position(bad)


def test_every_given_criterion_must_hold() -> None:
    x = letter()
    assert DeadLetterFilter().matches(x)
    assert DeadLetterFilter(
        origin_topics=frozenset({"mw.pipeline"}),
        reasons=("BAD_MARKER",),
        groups=frozenset({"mw.projector"}),
        since=T0,
        until=T0 + timedelta(seconds=1),
    ).matches(x)
    assert not DeadLetterFilter(origin_topics=frozenset({"mw.alerts"})).matches(x)
    assert not DeadLetterFilter(reasons=("fingerprint",)).matches(x)
    assert not DeadLetterFilter(groups=frozenset({"other"})).matches(x)
    assert not DeadLetterFilter(since=T0 + timedelta(seconds=1)).matches(x)
    assert not DeadLetterFilter(until=T0).matches(x)
    assert not DeadLetterFilter(positions=frozenset({(0, 1)})).matches(x)
    assert DeadLetterFilter().empty
    assert not DeadLetterFilter(positions=frozenset({(0, 0)})).empty


def decode(data: bytes) -> Event:
    if data == b"bad":
        raise ValueError("cannot read")
    return DeadLetterRedriven(
        producer=WHO, deadletter_partition=0, deadletter_offset=0, origin_topic="t"
    )


def test_redrive_refuses_undecodable_unoriginated_and_done_letters() -> None:
    fine, bad, orphan, done = letter(0), letter(1, value=b"bad"), letter(2, origin=""), letter(3)
    log = DeadLetterLog(letters=[fine, bad, orphan, done])
    log.redrives[(0, 3)] = [
        DeadLetterRedriven(
            producer=WHO,
            event_time=T0,
            deadletter_partition=0,
            deadletter_offset=3,
            origin_topic="mw.pipeline",
        )
    ]

    plain = {c.letter.offset: c for c in choose(log.letters, log, decode)}
    assert plain[0].refusal is None
    assert plain[1].refusal is not None
    assert "still fails to decode: ValueError: cannot read" in plain[1].refusal
    assert plain[2].refusal == "no mw-origin-topic header"
    assert plain[3].refusal is not None
    assert plain[3].refusal.startswith("already re-driven at 2026-12-01 10:00:00Z")

    forced = {c.letter.offset: c for c in choose(log.letters, log, decode, force=True, again=True)}
    assert (forced[1].refusal, forced[1].forced) == (None, True)
    assert (forced[3].refusal, forced[3].forced) == (None, False)
    assert forced[2].refusal is not None
