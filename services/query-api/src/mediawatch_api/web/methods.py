"""``OPTIONS`` answers and ``Allow`` values: the methods a path really serves.

Litestar adds an ``OPTIONS`` handler to a route when the route is first built from one handler
and keeps it when more handlers join the path, so its ``Allow`` lists only the first handler's
methods (``OPTIONS, POST`` on a path that serves GET as well); the handler also inherits its
controller's guards, and a guard that needs a signed-in user fails on a request the
authentication skips. Here ``OPTIONS`` is answered from the app's routing table instead: 204 with
every method of the matched path, for anyone (it reveals nothing the OpenAPI document does not).
Every ``Allow`` the app sends lists ``HEAD`` wherever it lists ``GET``, since ``HEAD`` is served
on every such path (``web/head.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send


def served_methods(methods: Iterable[str]) -> set[str]:
    """``methods`` (names, blanks ignored) with ``HEAD`` added wherever ``GET`` is."""
    served = {m.strip() for m in methods} - {""}
    return served | {"HEAD"} if "GET" in served else served


def allow_value(methods: Iterable[str]) -> str:
    """The ``Allow`` header value for a path serving ``methods``, in alphabetical order."""
    return ", ".join(sorted(served_methods(methods)))


def allowed_methods(app: Litestar) -> dict[str, str]:
    """``Allow`` header value per path template of every HTTP route."""
    return {
        route.path_format: allow_value(route.methods)
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


class OptionsMiddleware(ASGIMiddleware):
    """Answers ``OPTIONS`` with 204 and the path's ``Allow``; other requests pass."""

    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self._allow: dict[str, str] | None = None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Answer an ``OPTIONS`` request, or pass the request on."""
        if scope.get("method") != "OPTIONS":
            await next_app(scope, receive, send)
            return
        if self._allow is None:
            self._allow = allowed_methods(scope["litestar_app"])
        allow = self._allow.get(scope["path_template"], "OPTIONS")
        headers = [(b"allow", allow.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
