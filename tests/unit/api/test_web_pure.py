"""Pure pieces of the web layer: CSRF rule, session cookies, chart buckets, the live feed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from mediawatch_api.queries.buckets import bucket_seconds, bucket_starts, floor_time
from mediawatch_api.queries.stats import first_whole_hour
from mediawatch_api.web.csrf import csrf_ok
from mediawatch_api.web.encoding import utc_text
from mediawatch_api.web.live import alert_feed, snapshot_feed
from mediawatch_api.web.session import session_cookies

pytestmark = pytest.mark.unit

COOKIES = {"mw_token": "Bearer abc", "mw_csrf": "s3cret"}


@pytest.mark.parametrize(
    ("method", "path", "headers", "cookies", "ok"),
    [
        ("GET", "/api/v1/monitoring/alerts", {}, COOKIES, True),
        ("POST", "/api/v1/monitoring/silences", {}, {}, True),  # no cookie: auth decides
        ("POST", "/api/v1/monitoring/silences", {"authorization": "Bearer t"}, COOKIES, True),
        ("POST", "/api/v1/monitoring/silences", {}, COOKIES, False),
        ("DELETE", "/api/v1/monitoring/alerts", {"x-csrf-token": "wrong"}, COOKIES, False),
        ("DELETE", "/api/v1/monitoring/alerts", {"x-csrf-token": "s3cret"}, COOKIES, True),
        ("POST", "/x", {"x-csrf-token": ""}, {"mw_token": "Bearer abc"}, False),
        ("POST", "/api/v1/auth/session", {}, COOKIES, True),
    ],
)
def test_csrf_rule(
    method: str, path: str, headers: dict[str, str], cookies: dict[str, str], ok: bool
) -> None:
    assert csrf_ok(method, path, headers, cookies) is ok


def test_session_cookies_are_strict_and_only_the_token_is_http_only() -> None:
    token, csrf = session_cookies("jwt", 60, secure=True)
    assert (token.key, token.value, token.httponly, token.max_age) == (
        "mw_token",
        "Bearer jwt",
        True,
        3600,
    )
    assert (csrf.key, csrf.httponly, csrf.samesite, csrf.secure) == (
        "mw_csrf",
        False,
        "strict",
        True,
    )
    assert len(csrf.value or "") >= 32
    assert session_cookies("jwt", 60, False)[1].value != csrf.value
    gone = session_cookies(None, 0, secure=False)
    assert [(c.value, c.max_age) for c in gone] == [("", 0), ("", 0)]


def test_buckets_keep_charts_to_a_few_hundred_points() -> None:
    assert bucket_seconds(1) == 60
    assert bucket_seconds(24) == 600
    assert bucket_seconds(168) == 3600
    assert bucket_seconds(1, smallest=300) == 300
    assert bucket_seconds(24 * 366) == 86400
    at = datetime(2026, 1, 1, 10, 7, 31, tzinfo=UTC)
    assert floor_time(at, 600) == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    starts = bucket_starts(at - timedelta(minutes=25), at, 600)
    assert [s.minute for s in starts] == [40, 50, 0]


def test_alert_feed_sends_ready_then_each_change_once() -> None:
    batches = [
        [],
        [{"id": "a", "change": 5}, {"id": "b", "change": 7}],
        [],
        [{"id": "a", "change": 9}],
    ]
    asked: list[int] = []

    def changes(cursor: int) -> list[dict[str, Any]]:
        asked.append(cursor)
        return batches.pop(0) if batches else []

    async def collect() -> list[Any]:
        feed = alert_feed(
            changes, 3, poll_seconds=0.001, lifetime_seconds=0.2, keepalive_seconds=0.01
        )
        return [m async for m in feed]

    messages = asyncio.run(collect())
    assert (messages[0].event, messages[0].data) == ("ready", '{"change": 3}')
    alerts = [(m.id, m.data) for m in messages if m.event == "alert"]
    assert alerts == [
        (5, '{"id": "a", "change": 5}'),
        (7, '{"id": "b", "change": 7}'),
        (9, '{"id": "a", "change": 9}'),
    ]
    assert asked[:4] == [3, 3, 7, 7]
    assert set(asked[4:]) == {9}
    assert any(m.comment == "keep-alive" for m in messages)


def test_snapshot_feed_sends_the_records_at_once_and_again_only_when_they_change() -> None:
    at = datetime(2026, 3, 1, 11, 0, 0, 250000, tzinfo=UTC)
    one = {"logs": [{"timestamp": at, "message": "ffmpeg failed"}]}
    two = {"logs": [*one["logs"], {"timestamp": at, "message": "upload failed"}]}
    answers = [one, one, one, two, two]

    def read() -> dict[str, Any]:
        return answers.pop(0) if answers else two

    async def collect() -> list[Any]:
        feed = snapshot_feed(
            read, "logs", poll_seconds=0.001, lifetime_seconds=0.2, keepalive_seconds=0.01
        )
        return [m async for m in feed]

    messages = asyncio.run(collect())
    sent = [m.data for m in messages if m.event == "logs"]
    assert sent == [
        '{"logs": [{"timestamp": "2026-03-01T11:00:00.250Z", "message": "ffmpeg failed"}]}',
        '{"logs": [{"timestamp": "2026-03-01T11:00:00.250Z", "message": "ffmpeg failed"}, '
        '{"timestamp": "2026-03-01T11:00:00.250Z", "message": "upload failed"}]}',
    ]
    assert any(m.comment == "keep-alive" for m in messages)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2023, 12, 31, 23, 59, 59, 123456, tzinfo=UTC), "2023-12-31T23:59:59.123Z"),
        (datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC), "2023-12-31T23:59:59Z"),
        (datetime(2024, 1, 1, 1, 59, 59, 5000, tzinfo=timezone(timedelta(hours=2))),
         "2023-12-31T23:59:59.005Z"),
        (datetime(2023, 12, 31, 23, 59, 59), "2023-12-31T23:59:59Z"),
    ],
)  # fmt: skip
def test_times_are_written_in_utc_ending_in_z(value: datetime, text: str) -> None:
    assert utc_text(value) == text


@pytest.mark.parametrize(
    ("since", "edge"),
    [
        (datetime(2026, 3, 1, 11, 0, tzinfo=UTC), datetime(2026, 3, 1, 11, 0, tzinfo=UTC)),
        (datetime(2026, 3, 1, 11, 1, tzinfo=UTC), datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
        (
            datetime(2026, 3, 1, 16, 31, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_stats_read_whole_hours_from_the_first_utc_hour_boundary(
    since: datetime, edge: datetime
) -> None:
    assert first_whole_hour(since) == edge
