"""Times every HTTP request into the API's request-duration histogram."""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram


class RequestTiming(ASGIMiddleware):
    """Observes each request's duration by method, route template (not the raw path, which
    holds ids) and the status code it was answered with."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Pass the request on; time it until the handler returns."""
        began = time.perf_counter()
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await next_app(scope, receive, noting_status)
        finally:
            route = scope.get("path_template") or "unmatched"
            method = str(scope.get("method", ""))
            self._histogram.labels(method, route, str(status)).observe(time.perf_counter() - began)
