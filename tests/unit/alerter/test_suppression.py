"""Silences and inhibition in the alert book."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediawatch_alerter.alerts import AlertBook, Finding
from mediawatch_common.alerting import MatcherError, matches, parse_matcher
from mediawatch_common.events import AlertLevel, AlertRaised, SilenceCreated, SilenceExpired

from .helpers import ME, T0, at

pytestmark = pytest.mark.unit


def silence(
    *matchers: str, start: float = 0, end: float = 3600, sid: str = "silence_1_1"
) -> SilenceCreated:
    return SilenceCreated(
        producer=ME,
        silence_id=sid,
        matchers=tuple(parse_matcher(m) for m in matchers),
        starts_at=at(start),
        ends_at=at(end),
        author="alice",
        comment="maintenance",
    )


def failure(host: str = "worker-1", session: str = "s1") -> Finding:
    return Finding(
        rule="processing_failed",
        labels={"session_id": session, "stage": "merging"},
        context={"host": host},
        level=AlertLevel.ERROR,
        title="Processing Failed: merging",
    )


def down(
    rule: str = "ffmpeg_unavailable",
    host: str = "worker-1",
    level: AlertLevel | None = AlertLevel.CRITICAL,
) -> Finding:
    return Finding(rule=rule, labels={"host": host}, level=level, title="down")


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("host=worker-1", {"host": "worker-1"}, True),
        ("host=worker-1", {"host": "worker-2"}, False),
        ("host!=worker-1", {"host": "worker-2"}, True),
        ("rule=~processing_.*", {"rule": "processing_failed"}, True),
        ("rule=~processing", {"rule": "processing_failed"}, False),
        ("rule!~processing_.*", {"rule": "high_cpu"}, True),
        ("stage=", {}, True),
    ],
)
def test_matchers(text: str, labels: dict[str, str], expected: bool) -> None:
    assert matches(parse_matcher(text), labels) is expected


@pytest.mark.parametrize("text", ["host", "=x", "host=~(", "host<>x"])
def test_bad_matchers_are_refused(text: str) -> None:
    with pytest.raises(MatcherError):
        parse_matcher(text)


def test_silenced_alert_is_not_announced_until_the_silence_ends() -> None:
    book = AlertBook(ME)
    book.silences.apply(silence("host=worker-1", "level=error", end=600))

    assert book.observe([failure()], at(10)) == []
    assert book.tick(at(599)) == []
    (raised,) = book.tick(at(600))

    assert isinstance(raised, AlertRaised)
    assert raised.event_time == at(600)
    assert [a for a, _ in book.suppressed()] == []


def test_silence_only_mutes_matching_alerts_and_only_while_active() -> None:
    book = AlertBook(ME)
    book.silences.apply(silence("host=worker-1", start=100, end=200))

    assert len(book.observe([failure(host="worker-2")], at(150))) == 1
    assert len(book.observe([failure(session="before")], at(50))) == 1
    assert book.observe([failure(session="during")], at(150)) == []


def test_expired_silence_no_longer_mutes() -> None:
    book = AlertBook(ME)
    book.silences.apply(silence("host=worker-1"))
    book.silences.apply(
        SilenceExpired(producer=ME, silence_id="silence_1_1", reason="x", expired_at=T0)
    )

    assert len(book.observe([failure()], at(10))) == 1


def test_suppressed_alert_that_resolves_is_never_announced() -> None:
    book = AlertBook(ME)
    book.silences.apply(silence("host=worker-1"))
    book.observe([failure()], at(10))

    assert (
        book.observe(
            [
                Finding(
                    rule="processing_failed",
                    labels={"session_id": "s1", "stage": "merging"},
                    level=None,
                )
            ],
            at(20),
        )
        == []
    )
    assert book.tick(at(4000)) == []


def test_ffmpeg_down_inhibits_stage_failures_on_the_same_host_only() -> None:
    book = AlertBook(ME)
    assert len(book.observe([down()], T0)) == 1

    assert book.observe([failure(host="worker-1")], at(1)) == []
    assert len(book.observe([failure(host="worker-2", session="s2")], at(1))) == 1
    assert book.suppressed()[0][1] == "inhibited:ffmpeg_unavailable{host=worker-1}"


def test_inhibited_alert_is_announced_when_the_cause_clears_while_it_still_fires() -> None:
    book = AlertBook(ME)
    book.observe([down(rule="storage_unreachable")], T0)
    book.observe([failure()], at(1))

    resolved = book.observe([down(rule="storage_unreachable", level=None)], at(30))
    announced = book.tick(at(31))

    assert len(resolved) == 1
    assert [a.rule for a in announced if isinstance(a, AlertRaised)] == ["processing_failed"]


def test_silence_ended_list_reports_each_once_applied() -> None:
    book = AlertBook(ME)
    book.silences.apply(silence("host=a", end=60))

    assert book.silences.ended(at(59)) == []
    assert book.silences.ended(at(60)) == ["silence_1_1"]
    book.silences.apply(
        SilenceExpired(producer=ME, silence_id="silence_1_1", reason="end", expired_at=at(60))
    )
    assert book.silences.ended(at(61)) == []
    assert T0 + timedelta(seconds=60) == at(60)
