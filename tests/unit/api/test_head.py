"""``HEAD`` is answered wherever ``GET`` is: same status, headers and rules, no body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from litestar import Litestar
from litestar.types import Message, Receive, Scope, Send

from mediawatch_api.users import Account, User
from mediawatch_api.users.roster import Roster
from mediawatch_api.web.auth import build_jwt, issue_token
from mediawatch_api.web.head import END_OF_BODY, answer_head
from mediawatch_api.web.methods import allow_value
from tests.unit.api.asgi import answers
from tests.unit.api.offline import SECRET, offline_app

pytestmark = pytest.mark.unit

START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
}
STATS = "/api/v1/monitoring/stats"
PIPELINE = {"pipeline": Account("producer", "")}
"""The one account the app knows: a producer whose tokens carry no credentials."""


def _served(app: object) -> tuple[list[Message], list[str]]:
    """What ``answer_head`` sends for ``app`` and the methods ``app`` was called with."""
    sent: list[Message] = []
    seen: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def run() -> None:
        async def recording(scope: Any, r: Receive, s: Send) -> None:
            seen.append(str(scope["method"]))
            await app(scope, r, s)  # type: ignore[operator]

        scope = {"type": "http", "method": "HEAD", "path": "/x", "headers": []}
        with anyio.fail_after(10):  # a bound on a hang, not a timing assertion
            await answer_head(recording, scope, receive, send)  # type: ignore[arg-type]
        assert scope["method"] == "HEAD"  # the server's own scope is left as it was

    anyio.run(run)
    return sent, seen


def test_the_answer_keeps_status_and_headers_and_drops_the_body() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({"type": "http.response.body", "body": b"hello", "more_body": False})

    sent, seen = _served(app)

    assert seen == ["GET"]
    assert sent == [START, END_OF_BODY]


def test_a_stream_is_cut_after_its_headers() -> None:
    chunks = 0

    async def endless(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal chunks
        await send(START)
        while True:
            chunks += 1
            await send({"type": "http.response.body", "body": b"data: x\n\n", "more_body": True})
            await anyio.sleep(0)

    sent, _ = _served(endless)

    assert sent == [START, END_OF_BODY]
    assert chunks == 1


def test_allow_lists_head_wherever_it_lists_get() -> None:
    assert allow_value(["OPTIONS", " GET"]) == "GET, HEAD, OPTIONS"
    assert allow_value(["GET", "HEAD", "OPTIONS"]) == "GET, HEAD, OPTIONS"
    assert allow_value(["OPTIONS", "POST"]) == "OPTIONS, POST"


@pytest.fixture(scope="module")
def app() -> Iterator[Litestar]:
    """One app for the module: building it is most of what these tests cost."""
    with offline_app(rate_limit_per_minute=10_000, accounts=PIPELINE) as built:
        yield built


def test_head_on_the_app_answers_as_get_without_a_body(app: Litestar) -> None:
    get, head, metrics_get, metrics_head = answers(
        app,
        [
            ("GET", "/api/v1/monitoring/health", {}),
            ("HEAD", "/api/v1/monitoring/health", {}),
            ("GET", "/metrics", {}),
            ("HEAD", "/metrics", {}),
        ],
    )

    assert (get.status_code, head.status_code) == (200, 200)
    assert get.content
    assert head.content == b""
    for name in ("content-type", "content-length"):
        assert head.headers[name] == get.headers[name], name
    assert metrics_get.status_code == metrics_head.status_code == 200
    assert metrics_head.content == b""
    assert metrics_head.headers["content-type"] == metrics_get.headers["content-type"]


def test_head_needs_the_token_get_needs(app: Litestar) -> None:
    bad = {"authorization": "Bearer not-a-token"}
    got = answers(
        app,
        [
            ("GET", STATS, {}),
            ("HEAD", STATS, {}),
            ("HEAD", "/api/v1/monitoring/sessions/active", bad),
            ("HEAD", "/api/v1/monitoring/alerts/stream", {}),
        ],
    )

    assert [a.status_code for a in got] == [401, 401, 401, 401]
    assert [a.content for a in got[1:]] == [b"", b"", b""]
    assert got[1].headers["content-length"] == got[0].headers["content-length"]


def test_head_passes_the_guards_get_passes(app: Litestar) -> None:
    roster = Roster(PIPELINE.get, max_age=3600.0)
    token = issue_token(build_jwt(SECRET, 5, roster), User("pipeline", "producer"), 5)
    producer = {"authorization": f"Bearer {token}"}

    get, head = answers(app, [("GET", STATS, producer), ("HEAD", STATS, producer)])

    assert (get.status_code, head.status_code) == (403, 403)
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_head_counts_against_the_rate_limit_get_counts_against() -> None:
    with offline_app(rate_limit_per_minute=2) as limited:
        got = answers(limited, [("HEAD", STATS, {}), ("HEAD", STATS, {}), ("GET", STATS, {})])
        refused = answers(limited, [("HEAD", STATS, {})])[0]

    assert [a.status_code for a in got] == [401, 401, 429]
    assert (refused.status_code, refused.content) == (429, b"")
    assert refused.headers["ratelimit-remaining"] == "0"
    assert int(refused.headers["retry-after"]) >= 1


def test_allow_names_head_on_get_paths_only(app: Litestar) -> None:
    put, options, head_on_post = answers(
        app,
        [
            ("PUT", "/api/v1/monitoring/health", {}),
            ("OPTIONS", "/api/v1/monitoring/health", {}),
            ("HEAD", "/api/v1/events", {}),
        ],
    )

    assert (put.status_code, put.headers["allow"]) == (405, "GET, HEAD, OPTIONS")
    assert (options.status_code, options.headers["allow"]) == (204, "GET, HEAD, OPTIONS")
    assert (head_on_post.status_code, head_on_post.headers["allow"]) == (405, "OPTIONS, POST")
    assert head_on_post.content == b""
