"""JWT bearer authentication, the login endpoint and the admin guard."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Self

import anyio.to_thread
from litestar import Controller, Request, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body
from litestar.security.jwt import JWTCookieAuth, Token

from mediawatch_api.users import ROLES, User, authenticate
from mediawatch_api.users.roster import AccountsUnavailableError, Roster, Unread
from mediawatch_api.web.errors import PUBLIC_SECURITY, error_responses
from mediawatch_api.web.services import ServicesDep

PUBLIC = [
    "^/api/v1/monitoring/health$",
    "^/api/v1/monitoring/ping$",
    "^/api/v1/auth/login$",
    "^/api/v1/auth/session$",
    "^/schema",
    "^/metrics$",
    "^/login$",
    "^/static/",
    "^/vendor/",
]
TOKEN_COOKIE = "mw_token"  # noqa: S105 - a cookie name, not a secret
"""HttpOnly cookie holding ``Bearer <jwt>`` for the dashboard (header tokens win over it)."""


class RememberedToken(Token):
    """A token whose verified decodings are kept until the token expires.

    Decoding (base64, JSON, HMAC) is most of what authentication costs per request, and a
    client sends the same token again and again. A hit needs the very same encoded string,
    which was verified with the same secret and options; the expiry is checked again on every
    use, so an expired token is decoded anew and refused.
    """

    remembered: ClassVar[OrderedDict[tuple[Any, ...], RememberedToken]] = OrderedDict()
    most: ClassVar[int] = 4096

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        """:meth:`Token.decode`, or its earlier answer while the token has not expired."""
        options = (audience, issuer, require_claims, verify_exp, verify_nbf, strict_audience)
        key = (encoded_token, secret, algorithm, *map(_hashable, options))
        found = cls.remembered.get(key)
        if isinstance(found, cls) and found.exp > datetime.now(UTC):
            return found
        token = super().decode(encoded_token, secret, algorithm, *options)
        cls.remembered[key] = token
        if len(cls.remembered) > cls.most:
            cls.remembered.popitem(last=False)
        return token


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _user_of(
    roster: Roster,
) -> Callable[[Token, ASGIConnection[Any, Any, Any, Any]], Awaitable[User | None]]:
    """The handler that turns a verified token into its account as it is now: None (401)
    when the account was removed or its password set again since the token was issued, its
    current role when that changed."""

    async def user_of(token: Token, _connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
        if token.extras.get("role") not in ROLES:
            return None
        account = roster.recent(token.sub)
        if isinstance(account, Unread):
            try:
                account = await anyio.to_thread.run_sync(roster.read, token.sub)
            except AccountsUnavailableError:
                raise HTTPException(
                    status_code=503, detail="accounts cannot be checked; try again"
                ) from None
        if account is None or account.role not in ROLES:
            return None
        if token.extras.get("credentials") != account.credentials:
            return None
        return User(token.sub, account.role, account.credentials)

    return user_of


def build_jwt(secret: str, minutes: int, roster: Roster) -> JWTCookieAuth[User, Token]:
    """Bearer tokens signed with HS256, from the Authorization header or, for the dashboard,
    the HttpOnly ``mw_token`` cookie; only HS256 is accepted when reading them. Each token's
    account is checked against ``roster``."""
    return JWTCookieAuth[User, Token](
        retrieve_user_handler=_user_of(roster),
        token_cls=RememberedToken,
        token_secret=secret,
        algorithm="HS256",
        default_token_expiration=timedelta(minutes=minutes),
        exclude=PUBLIC,
        exclude_http_methods=["OPTIONS"],  # HEAD needs a token wherever GET does
        key=TOKEN_COOKIE,
        samesite="strict",
        description="Bearer token from POST /api/v1/auth/login.",
    )


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: the caller must have the admin role (401 when nobody signed in)."""
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("sign in first")
    if not isinstance(user, User) or not user.is_admin:
        raise PermissionDeniedException("admin role required")


def producers_and_admins(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: the caller must have the producer or the admin role."""
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("sign in first")
    if not isinstance(user, User) or not (user.is_producer or user.is_admin):
        raise PermissionDeniedException("producer or admin role required")


def producers_only_ingest(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """App-wide guard: a producer token reaches only the routes marked ``opt={"producer":
    True}`` (the event ingest); producers send events, they do not read monitoring data."""
    user = connection.scope.get("user")
    if isinstance(user, User) and user.is_producer and not handler.opt.get("producer"):
        raise PermissionDeniedException("a producer token may only send events")


@dataclass
class Credentials:
    """Login body: a username and its password."""

    username: str
    password: str


@dataclass
class AccessToken:
    """A bearer token and what it grants."""

    access_token: str
    token_type: str
    expires_in: int
    role: str


class AuthController(Controller):
    """Log in."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post(
        "/login",
        status_code=200,
        sync_to_thread=True,
        summary="Exchange a password for a JWT",
        security=PUBLIC_SECURITY,
        responses=error_responses("public", body=True, also=[401]),
    )
    def login(
        self,
        request: Request[Any, Any, Any],
        services: ServicesDep,
        jwt_auth: NamedDependency[Any],
        data: Annotated[Credentials, Body(description="User name and password.")],
    ) -> AccessToken:
        """Returns a bearer token for the admin or viewer account; 401 when wrong."""
        user = check_password(request, services, data)
        minutes = services.api.token_minutes
        return AccessToken(issue_token(jwt_auth, user, minutes), "bearer", minutes * 60, user.role)


def check_password(
    request: Request[Any, Any, Any], services: ServicesDep, data: Credentials
) -> User:
    """The account, or 401 (audited) for a wrong name or password."""
    client = request.client.host if request.client else None
    too_long = len(data.username) > 64 or len(data.password) > 256
    if too_long or not (_storable(data.username) and _storable(data.password)):
        user = None
    else:
        with services.engine.connect() as conn:
            user = authenticate(conn, data.username, data.password)
    if user is None:
        services.audit("login", "denied", _printable(data.username[:64]), client)
        raise NotAuthorizedException("invalid user name or password")
    return user


def _storable(text: str) -> bool:
    """PostgreSQL text takes neither NUL nor lone surrogates (which UTF-8 cannot encode)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """``text`` made safe to store in the audit log."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "?")


def issue_token(jwt_auth: JWTCookieAuth[User, Token], user: User, minutes: int) -> str:
    """A signed token for ``user`` carrying its role and credentials."""
    return jwt_auth.create_token(
        identifier=user.username,
        token_expiration=timedelta(minutes=minutes),
        token_extras={"role": user.role, "credentials": user.credentials},
    )
