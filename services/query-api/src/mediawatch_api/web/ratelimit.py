"""Rate limit per client address: a fixed window counted in memory, O(1) per request.

Litestar's own ``RateLimitMiddleware`` keeps every timestamp of the window as a JSON list in a
store and decodes, copies and re-encodes it under a lock on every request, so its cost grows
with the number of requests a client made in the window. Here a window is a reset time and a
count. The semantics are the same: the window starts at a client's first request, requests
past the limit get 429 until it resets, and the client is the peer address of the connection
(``X-Forwarded-For`` is not trusted: anyone can send it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Verdict:
    """The answer to one request: whether it may go on and what the headers say."""

    allowed: bool
    remaining: int
    reset_seconds: int


@dataclass
class FixedWindow:
    """Counts each key's requests in windows of ``seconds`` that start at its first request."""

    limit: int
    seconds: int
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    _sweep_at: float = 0.0

    def hit(self, key: str, now: float) -> Verdict:
        """Count one request of ``key`` at ``now`` (seconds, monotonic) unless it is over."""
        if now >= self._sweep_at:
            self._sweep(now)
        reset_at, count = self._windows.get(key, (0.0, 0))
        if now >= reset_at:
            reset_at, count = now + self.seconds, 0
        reset = max(0, int(reset_at - now))
        if count >= self.limit:
            return Verdict(False, 0, reset)
        self._windows[key] = (reset_at, count + 1)
        return Verdict(True, self.limit - count - 1, reset)

    def _sweep(self, now: float) -> None:
        # Forget finished windows once per window, so memory follows the active clients.
        self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
        self._sweep_at = now + self.seconds


def _request_path(scope: Scope) -> str:
    # A mounted app sees a rewritten ``path``; its full request path is the raw one.
    if getattr(scope.get("route_handler"), "is_mount", False):
        return scope["raw_path"].decode()
    return scope["path"]


class RateLimitMiddleware(ASGIMiddleware):
    """429 past ``window.limit`` requests per window and client; ``RateLimit-*`` headers on
    every answer of a limited route (and ``Retry-After`` on a 429).

    ``exclude`` holds regular expressions searched in the full request path (not the route
    handler's own path, which lacks its controller's and router's prefix): a request whose
    path matches one is neither counted nor limited.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(
        self,
        window: FixedWindow,
        exclude: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.excluded = re.compile("|".join(exclude)) if exclude else None
        if self.excluded is not None:
            self.should_bypass_for_scope = self.is_excluded
        self.clock = clock
        self.policy = f"{window.limit}; w={window.seconds}"

    def is_excluded(self, scope: Scope) -> bool:
        """Whether the request's path matches an ``exclude`` pattern."""
        return self.excluded is not None and self.excluded.search(_request_path(scope)) is not None

    def headers(self, verdict: Verdict) -> dict[str, str]:
        """The IETF draft's RateLimit headers for ``verdict``."""
        return {
            "RateLimit-Policy": self.policy,
            "RateLimit-Limit": str(self.window.limit),
            "RateLimit-Remaining": str(verdict.remaining),
            "RateLimit-Reset": str(verdict.reset_seconds),
        }

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Count the request; refuse it or pass it on with the headers added."""
        client = scope.get("client")
        verdict = self.window.hit(client[0] if client else "unknown", self.clock())
        headers = self.headers(verdict)
        if not verdict.allowed:
            retry = {"Retry-After": str(max(1, verdict.reset_seconds))}
            raise TooManyRequestsException(headers={**headers, **retry})

        raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *raw]
            await send(message)

        await next_app(scope, receive, send_with_headers)
