"""Requests sent to an app in process, with the answers read as the app sent them.

Litestar's test client drops the body of an answer to ``HEAD`` itself; httpx's ASGI transport
keeps whatever the app sends, so a body sent where none belongs shows.
"""

from __future__ import annotations

import anyio
import httpx
from litestar import Litestar

Request = tuple[str, str, dict[str, str]]
"""A method, a path and the request headers."""


def answers(app: Litestar, requests: list[Request]) -> list[httpx.Response]:
    """The answer of ``app`` to each request, in order, from one client address."""

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            return [await client.request(m, p, headers=h) for m, p, h in requests]

    return anyio.run(run)
