"""Server-sent events for the dashboard: ``alerts/stream`` and ``logs/stream``.

``alerts/stream``: each connection polls the projection for alerts whose change number passed
its cursor. The event id is that number, so a reconnecting browser (``Last-Event-ID``) resumes
where it was. A ``ready`` event carries the starting cursor: the page loads the alert lists
after it, and whatever changes later arrives on the stream.

``logs/stream``: each connection polls the newest log records at a level and above (what
``logs/recent`` answers) and sends them as one ``logs`` event whenever they differ from what
it sent last, the first time at once. Records carry no change number and may reach the
projection out of time order, so the whole short list is sent again rather than a delta.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from mediawatch_api import queries
from mediawatch_api.web.choices import LogLevel
from mediawatch_api.web.encoding import with_utc_text
from mediawatch_api.web.errors import error_responses
from mediawatch_api.web.services import Services, ServicesDep

Changes = Callable[[int], list[dict[str, Any]]]
ERRORS = LogLevel.parse("ERROR")


async def alert_feed(
    changes: Changes,
    cursor: int,
    poll_seconds: float,
    lifetime_seconds: float,
    keepalive_seconds: float = 15.0,
) -> AsyncIterator[ServerSentEventMessage]:
    """``ready``, then one ``alert`` message per change after ``cursor`` until the lifetime
    ends (the browser reconnects on its own); comments keep idle proxies from closing it."""
    yield ServerSentEventMessage(event="ready", data=json.dumps({"change": cursor}), retry=2000)
    deadline = time.monotonic() + lifetime_seconds
    quiet = 0.0
    while time.monotonic() < deadline:
        await anyio.sleep(poll_seconds)
        found = await anyio.to_thread.run_sync(changes, cursor)
        for alert in found:
            cursor = max(cursor, int(alert["change"]))
            data = json.dumps(with_utc_text(alert))
            yield ServerSentEventMessage(event="alert", id=cursor, data=data)
        quiet = 0.0 if found else quiet + poll_seconds
        if quiet >= keepalive_seconds:
            quiet = 0.0
            yield ServerSentEventMessage(comment="keep-alive")


async def snapshot_feed(
    read: Callable[[], dict[str, Any]],
    event: str,
    poll_seconds: float,
    lifetime_seconds: float,
    keepalive_seconds: float = 15.0,
) -> AsyncIterator[ServerSentEventMessage]:
    """``event`` with what ``read`` answers, now and whenever it changes, until the lifetime
    ends; comments keep idle proxies from closing the connection."""
    deadline = time.monotonic() + lifetime_seconds
    sent, quiet = "", 0.0
    while True:
        data = json.dumps(with_utc_text(await anyio.to_thread.run_sync(read)))
        if data != sent:
            sent, quiet = data, 0.0
            yield ServerSentEventMessage(event=event, data=data, retry=2000)
        elif quiet >= keepalive_seconds:
            quiet = 0.0
            yield ServerSentEventMessage(comment="keep-alive")
        if time.monotonic() + poll_seconds >= deadline:
            return
        await anyio.sleep(poll_seconds)
        quiet += poll_seconds


def _start(services: Services, last_event_id: str | None, after: int | None) -> int:
    if last_event_id and last_event_id.isdigit():
        return int(last_event_id)
    if after is not None:
        return after
    with services.reads.connect() as conn:
        return queries.latest_change(conn)


@get(
    "/api/v1/monitoring/alerts/stream",
    tags=["monitoring"],
    summary="Live alert changes (SSE)",
    media_type="text/event-stream",
    responses=error_responses("viewer", params=True),
)
async def alert_stream(
    request: Request[Any, Any, Any],
    services: ServicesDep,
    after: Annotated[
        int | None,
        QueryParameter(ge=0, description="Start after this change number (default: now)."),
    ] = None,
) -> ServerSentEvent:
    """Server-sent events: ``ready`` with the cursor, then ``alert`` (the alert's JSON, as in
    ``/alerts``) whenever one is raised, resolved or acknowledged."""
    start = await anyio.to_thread.run_sync(
        _start, services, request.headers.get("last-event-id"), after
    )

    def changes(cursor: int) -> list[dict[str, Any]]:
        with services.reads.connect() as conn:
            return queries.alert_changes(conn, cursor, 200)

    live = services.api
    feed = alert_feed(changes, start, live.stream_poll_seconds, live.stream_lifetime_seconds)
    return ServerSentEvent(feed, headers={"Cache-Control": "no-store"})


@get(
    "/api/v1/monitoring/logs/stream",
    tags=["monitoring"],
    summary="Live recent log records (SSE)",
    media_type="text/event-stream",
    responses=error_responses("viewer", params=True),
)
async def log_stream(
    services: ServicesDep,
    lines: Annotated[int, QueryParameter(ge=1, le=100, description="Most records sent.")] = 20,
    level: Annotated[
        LogLevel, QueryParameter(description="This level and above (any case).")
    ] = ERRORS,
) -> ServerSentEvent:
    """Server-sent events: ``logs`` (``{"logs": [...]}`` as ``logs/recent`` answers) at once
    and whenever the newest ``lines`` records at ``level`` and above change."""

    def newest() -> dict[str, Any]:
        with services.reads.connect() as conn:
            return queries.recent_logs(conn, queries.LogQuery(lines, level))

    live = services.api
    feed = snapshot_feed(newest, "logs", live.stream_poll_seconds, live.stream_lifetime_seconds)
    return ServerSentEvent(feed, headers={"Cache-Control": "no-store"})
