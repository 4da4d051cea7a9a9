"""CSRF defence for requests authenticated by the dashboard's cookie.

A request carrying a bearer token in ``Authorization`` cannot be forged by another site (a
browser never adds that header by itself), so only cookie-authenticated requests with an
unsafe method need more: the ``X-CSRF-Token`` header must repeat the ``mw_csrf`` cookie
(double submit). Both cookies are ``SameSite=Strict`` as well.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from mediawatch_api.web.auth import TOKEN_COOKIE

CSRF_COOKIE = "mw_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PATHS = frozenset({"/api/v1/auth/session", "/api/v1/auth/login"})


def csrf_ok(method: str, path: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> bool:
    """Whether a request may go on: safe, not cookie-authenticated, or with a matching token."""
    if method in SAFE_METHODS or path in EXEMPT_PATHS:
        return True
    if headers.get("authorization") or TOKEN_COOKIE not in cookies:
        return True
    sent, expected = headers.get(CSRF_HEADER, ""), cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


class CsrfMiddleware(ASGIMiddleware):
    """Refuses (403) cookie-authenticated unsafe requests without the CSRF token."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Check the request, then pass it on."""
        method = str(scope.get("method", "GET"))
        if method in SAFE_METHODS:  # most requests: no need to parse headers and cookies
            await next_app(scope, receive, send)
            return
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        if not csrf_ok(method, scope["path"], connection.headers, connection.cookies):
            raise PermissionDeniedException("missing or wrong X-CSRF-Token header")
        await next_app(scope, receive, send)
