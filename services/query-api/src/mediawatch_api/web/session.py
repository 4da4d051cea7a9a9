"""Dashboard sign-in: the token goes into an HttpOnly cookie, never into page script or URL."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.params import Body

from mediawatch_api.web.auth import TOKEN_COOKIE, Credentials, check_password, issue_token
from mediawatch_api.web.csrf import CSRF_COOKIE
from mediawatch_api.web.errors import PUBLIC_SECURITY, error_responses
from mediawatch_api.web.services import ServicesDep


def same_origin(request: Request[Any, Any, Any]) -> bool:
    """Whether the request's ``Origin`` (when the browser sent one) is this server."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin == own


def session_cookies(token: str | None, minutes: int, secure: bool) -> list[Cookie]:
    """The token cookie (HttpOnly) and the CSRF cookie (read by the page); expired when
    ``token`` is None."""
    age = minutes * 60 if token else 0
    common: dict[str, Any] = {"path": "/", "samesite": "strict", "secure": secure, "max_age": age}
    csrf = secrets.token_urlsafe(32) if token else ""
    return [
        Cookie(key=TOKEN_COOKIE, value=f"Bearer {token}" if token else "", httponly=True, **common),
        Cookie(key=CSRF_COOKIE, value=csrf, httponly=False, **common),
    ]


class SessionController(Controller):
    """Sign the dashboard in and out."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post(
        "/session",
        status_code=200,
        sync_to_thread=True,
        summary="Sign in the dashboard",
        security=PUBLIC_SECURITY,
        responses=error_responses("public", body=True, also=[401, 403, 415]),
    )
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        services: ServicesDep,
        jwt_auth: NamedDependency[Any],
        data: Annotated[Credentials, Body(description="User name and password.")],
    ) -> Response[dict[str, Any]]:
        """Like ``/login``, but the token is set as an HttpOnly, SameSite=Strict cookie.

        Only JSON from this origin is accepted, so another site cannot sign a browser in.
        """
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise HTTPException(status_code=415, detail="send the credentials as JSON")
        if not same_origin(request):
            raise PermissionDeniedException("cross-origin sign-in refused")
        user = check_password(request, services, data)
        minutes = services.api.token_minutes
        token = issue_token(jwt_auth, user, minutes)
        return Response(
            {"username": user.username, "role": user.role, "expires_in": minutes * 60},
            cookies=session_cookies(token, minutes, services.api.cookie_secure),
        )

    @post(
        "/logout",
        status_code=200,
        sync_to_thread=False,
        summary="Sign the dashboard out",
        responses=error_responses("viewer", also=[403]),
    )
    def sign_out(self, services: ServicesDep) -> Response[dict[str, str]]:
        """Expires the dashboard's cookies."""
        return Response(
            {"message": "Signed out"},
            cookies=session_cookies(None, 0, services.api.cookie_secure),
        )
