"""``HEAD`` on every path that serves ``GET``: the ``GET`` answer's status and headers, no body.

Litestar routes ``HEAD`` only to handlers declared for it, and a handler declared for ``HEAD``
may not return a body, so a ``GET`` handler cannot simply take both. Load balancers and uptime
checks send ``HEAD``, so :class:`HeadAsGet` turns it into a ``GET`` before routing: the request
goes through routing, authentication, guards, the rate limit and the handler exactly as a
``GET`` does (a ``HEAD`` is refused wherever that ``GET`` is, and counts against the same
limit), and only the body is left out. The server still sees ``HEAD`` (the scope it passed in
is not changed), so it writes no body either. The OpenAPI document, like most, leaves ``HEAD``
implicit.
"""

from __future__ import annotations

from typing import TypeGuard, cast

import anyio
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPScope,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Message,
    Receive,
    Scope,
    Send,
)

END_OF_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}


async def answer_head(app: ASGIApp, scope: HTTPScope, receive: Receive, send: Send) -> None:
    """Answer a ``HEAD`` request with what ``app`` answers the same ``GET``, minus the body.

    The status and headers are sent as they come (``Content-Length`` included), then an empty
    body ends the answer. A streamed answer (server-sent events, a file) is cut short: ``app``
    is cancelled at its first chunk rather than left to stream into nothing.
    """
    as_get: HTTPScope = {**scope, "method": "GET"}
    with anyio.CancelScope() as streaming:

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
                await send(END_OF_BODY)
            elif message["type"] == "http.response.body" and message.get("more_body", False):
                streaming.cancel()

        await app(as_get, receive, headers_only)


def is_head(scope: Scope | LifeSpanScope) -> TypeGuard[HTTPScope]:
    """Whether ``scope`` is an HTTP ``HEAD`` request."""
    return scope["type"] == ScopeType.HTTP and cast("HTTPScope", scope)["method"] == "HEAD"


class HeadAsGet(Litestar):
    """The Litestar app, answering ``HEAD`` on every path as :func:`answer_head` says."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        """ASGI entry: a ``HEAD`` request is served as a ``GET`` without the body."""
        if is_head(scope):
            await answer_head(super().__call__, scope, cast("Receive", receive), cast("Send", send))
            return
        await super().__call__(scope, receive, send)
