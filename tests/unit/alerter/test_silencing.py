"""Silences from the command line: parsing, the events appended, listing and expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediawatch_alerter.alerts import (
    SilenceError,
    expire,
    listing,
    new_silence,
    parse_duration,
    silence_book,
)
from mediawatch_common.events import SilenceExpired, SilenceMatcher

from .helpers import ME, at

pytestmark = pytest.mark.unit


def add(*matchers: str, start: float = 0, hours: float = 2):
    return new_silence(
        matchers,
        starts_at=at(start),
        duration=timedelta(hours=hours),
        author=" alice ",
        comment="merging is being fixed",
        producer=ME,
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1.5d", 129600), ("1w", 604800), (" 2 h ", 7200)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "2", "0h", "-1h", "2 hours", "h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(SilenceError, match="not a duration"):
        parse_duration(text)


def test_a_new_silence_has_matchers_times_author_and_an_id() -> None:
    created = add("stage=merging", "host=~worker-.*")

    assert created.matchers == (
        SilenceMatcher(label="stage", op="=", value="merging"),
        SilenceMatcher(label="host", op="=~", value="worker-.*"),
    )
    assert (created.starts_at, created.ends_at) == (at(0), at(7200))
    assert created.author == "alice"
    assert created.silence_id.startswith(f"silence_{int(at(0).timestamp())}_")


def test_two_silences_in_the_same_second_get_distinct_ids() -> None:
    ids = {add("stage=merging").silence_id for _ in range(20)}

    assert len(ids) > 1


@pytest.mark.parametrize(
    ("matchers", "message"),
    [((), "at least one"), (("stage",), "not a matcher"), (("host=~(",), "bad regular")],
)
def test_bad_silences_are_refused(matchers: tuple[str, ...], message: str) -> None:
    with pytest.raises(SilenceError, match=message):
        add(*matchers)


def test_listing_shows_active_and_pending_and_hides_expired() -> None:
    active, pending, ended, expired = (
        add("a=1"),
        add("b=1", start=600),
        add("c=1", hours=0.01),
        add("d=1"),
    )
    book = silence_book(
        [
            active,
            pending,
            ended,
            expired,
            SilenceExpired(
                producer=ME, silence_id=expired.silence_id, reason="x", expired_at=at(1)
            ),
        ]
    )

    rows = listing(book, at(60))
    everything = listing(book, at(60), everything=True)

    assert [(r.silence.created.silence_id, r.state) for r in rows] == [
        (active.silence_id, "active"),
        (pending.silence_id, "pending"),
    ]
    assert {r.silence.created.silence_id: r.state for r in everything}[
        ended.silence_id
    ] == "expired"
    assert len(everything) == 4


def test_expire_ends_a_known_silence_now() -> None:
    created = add("stage=merging")
    book = silence_book([created])

    expired = expire(book, created.silence_id, now=at(30), reason="fixed", producer=ME)

    assert (expired.silence_id, expired.expired_at, expired.reason) == (
        created.silence_id,
        at(30),
        "fixed",
    )
    book.apply(expired)
    assert book.muting({"stage": "merging"}, at(31)) is None


def test_expire_refuses_unknown_and_ended_silences() -> None:
    created = add("stage=merging", hours=1)
    book = silence_book([created])

    with pytest.raises(SilenceError, match="no silence"):
        expire(book, "silence_1_2", now=at(30), reason="x", producer=ME)
    with pytest.raises(SilenceError, match="already ended"):
        expire(book, created.silence_id, now=at(3600), reason="x", producer=ME)
