"""Error answers: the one JSON body every error has, the handlers that write it, and the
OpenAPI ``responses`` each kind of route declares for it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import ParameterKwarg
from litestar.response import Redirect

from mediawatch_api.web.methods import allow_value

log = logging.getLogger("mediawatch_api.web")

Access = Literal["public", "viewer", "admin", "producer"]
"""Who may call a route: anyone, any signed-in user, or admins only."""

WHY: dict[int, str] = {
    400: "Bad parameters or body; `extra` names each one and why.",
    401: "No token, a bad, expired or unsigned one, one whose account was removed or whose "
    "password was set again since (or a wrong user name or password).",
    403: "Not allowed: the admin role is required, a producer token is used outside "
    "POST /api/v1/events, the dashboard's X-CSRF-Token header is missing, or a sign-in came "
    "from another origin.",
    404: "Nothing with this id.",
    409: "The change conflicts with the current state.",
    413: "The request body is larger than API_MAX_BODY_BYTES.",
    415: "The body is not JSON.",
    422: "An event does not fit its schema; `extra` names its index and field.",
    429: "Too many requests from this client address (API_RATE_LIMIT_PER_MINUTE); see the "
    "RateLimit-* and Retry-After headers.",
    503: "The event log did not acknowledge the change; nothing was appended, try again.",
}

EXAMPLES: dict[int, dict[str, Any]] = {
    400: {
        "status_code": 400,
        "detail": "Validation failed for GET /api/v1/monitoring/stats?hours=0",
        "extra": [{"message": "Expected `int` >= 1", "key": "hours", "source": "query"}],
    },
    401: {"status_code": 401, "detail": "No JWT token found in request header or cookies"},
    403: {"status_code": 403, "detail": "admin role required"},
    404: {"status_code": 404, "detail": "no such alert"},
    409: {"status_code": 409, "detail": "the silence has already expired"},
    413: {"status_code": 413, "detail": "Request Entity Too Large"},
    415: {"status_code": 415, "detail": "send the credentials as JSON"},
    422: {
        "status_code": 422,
        "detail": "events[3].stage: 'BLENDING' (str) is not a symbol of io.mediawatch.events.Stage",
        "extra": {"index": 3, "field": "stage", "reason": "'BLENDING' (str) is not a symbol ..."},
    },
    429: {"status_code": 429, "detail": "Too Many Requests"},
    503: {"status_code": 503, "detail": "event log unavailable; try again"},
}


@dataclass
class ErrorBody:
    """What every error answers; ``extra`` lists the bad parameters of a 400."""

    status_code: int
    detail: str
    extra: list[dict[str, Any]] | dict[str, Any] | None = None


def error_responses(
    access: Access,
    *,
    params: bool = False,
    body: bool = False,
    rate_limited: bool = True,
    also: Iterable[int] = (),
) -> dict[int, ResponseSpec]:
    """The error statuses a route can answer, each with the :class:`ErrorBody` schema.

    Args:
        access: ``viewer`` routes add 401 and ``admin`` routes add 401 and 403.
        params: the route has path or query parameters (400 when they are bad).
        body: the route reads a JSON body (400 when it is bad, 413 when too large).
        rate_limited: the rate limit applies to the route (429).
        also: statuses the handler itself raises (404, 409, 503...).
    """
    statuses = set(also)
    if params or body:
        statuses.add(400)
    if body:
        statuses.add(413)
    if rate_limited:
        statuses.add(429)
    if access != "public":
        statuses.add(401)
    if access != "public":
        statuses.add(403)
    return {status: _spec(status) for status in sorted(statuses)}


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=ErrorBody,
        description=WHY[status],
        generate_examples=False,
        examples=[Example(summary=str(status), value=EXAMPLES[status])],
    )


STORABLE_TEXT = "^[^\\u0000]*$"
"""``pattern`` of a text parameter: anything PostgreSQL text can hold (no NUL character)."""

PUBLIC_SECURITY: list[dict[str, list[str]]] = [{}]
"""``security`` of a public route: no token needed (overrides the document's default)."""


def _is_page(path: str, pages: tuple[str, ...]) -> bool:
    return path == "/" or any(path.startswith(p) for p in pages[1:])


def http_error(
    request: Request[Any, Any, Any], exc: HTTPException, pages: tuple[str, ...]
) -> Response[Any]:
    """An :class:`ErrorBody`; a page (``pages``) asked without a session goes to ``/login``."""
    if exc.status_code == 401 and _is_page(request.url.path, pages):
        return Redirect("/login")
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = _named_as_sent(request, exc.extra)
    headers = exc.headers
    if headers and "allow" in headers:  # a 405: HEAD is served wherever GET is
        headers = {**headers, "allow": allow_value(headers["allow"].split(","))}
    return Response(body, status_code=exc.status_code, headers=headers, media_type=MediaType.JSON)


def _named_as_sent(request: Request[Any, Any, Any], extra: Any) -> Any:
    """Litestar names a bad query parameter after the handler's argument; one sent under
    another name (``state``: Litestar reserves that argument) is named as the client sent it."""
    handler = request.scope.get("route_handler")
    if not isinstance(extra, list) or handler is None:
        return extra
    arguments = handler.parsed_fn_signature.parameters
    for problem in extra:
        argument = arguments.get(str(problem.get("key"))) if isinstance(problem, dict) else None
        if argument is not None and isinstance(argument.kwarg_definition, ParameterKwarg):
            problem["key"] = argument.kwarg_definition.name or problem["key"]
    return extra


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bare 500: only the exception's type is logged (driver messages can carry secrets)."""
    log.error("unhandled error", extra={"path": request.url.path, "error": type(exc).__name__})
    return Response(
        {"status_code": 500, "detail": "Internal Server Error"},
        status_code=500,
        media_type=MediaType.JSON,
    )


def unstorable_input(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """400: PostgreSQL refuses some values outright (a NUL character in text)."""
    log.info("input refused by the database", extra={"path": request.url.path})
    return Response(
        {"status_code": 400, "detail": "a parameter holds characters that cannot be stored"},
        status_code=400,
        media_type=MediaType.JSON,
    )
