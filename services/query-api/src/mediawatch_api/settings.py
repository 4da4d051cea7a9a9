"""Settings of the query API (``API_*``), read once at its entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_common.settings import SettingsError

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class ApiSettings(BaseSettings):
    """The HTTP API (``API_*``)."""

    model_config = SettingsConfigDict(env_prefix="API_", frozen=True, extra="ignore")

    environment: Literal["development", "production"] = Field(
        "production", description="development allows the built-in JWT secret; nothing else."
    )
    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    jwt_secret: SecretStr | None = Field(
        None, description="HS256 signing key of access tokens (at least 32 characters)."
    )
    token_minutes: PositiveInt = Field(60, description="Lifetime of an access token, minutes.")
    account_check_seconds: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="How long a request may rely on what was last read of its token's account: "
        "a removed account's tokens, and those issued before a new password, stop working, "
        "a changed role applies, within this time.",
    )
    rate_limit_per_minute: PositiveInt = Field(
        120, description="Requests per minute and client address (429 beyond)."
    )
    access_log: bool = Field(
        True, description="One line per request (method, path, status, ms, client) in access.log."
    )
    max_body_bytes: PositiveInt = Field(16384, description="Largest request body accepted.")
    max_page: PositiveInt = Field(1000, description="Largest limit/lines a list accepts.")
    cookie_secure: bool = Field(
        False, description="Mark the dashboard's session cookies Secure (set true behind HTTPS)."
    )
    stream_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often a live alert stream looks for changes."
    )
    stream_lifetime_seconds: float = Field(
        300.0, gt=0, description="Seconds before a live stream ends (the browser reconnects)."
    )
    shutdown_seconds: PositiveInt = Field(
        10, description="On SIGTERM, how long open requests (live streams too) may finish."
    )
    metrics_refresh_seconds: float = Field(
        15.0,
        ge=1,
        le=3600,
        description="How often /metrics's projection figures are read again from PostgreSQL.",
    )
    ingest_dedupe_retention_hours: PositiveInt = Field(
        24,
        description="How long POST /api/v1/events remembers an event id it appended; the "
        "same id sent again later is appended again.",
    )
    web_vendor_dir: Path | None = Field(
        None,
        description="Folder of the npm packages the dashboard serves (default: the "
        "service's web/node_modules).",
    )


def jwt_secret(settings: ApiSettings) -> str:
    """The signing key to use; the built-in one only in development.

    Raises:
        SettingsError: outside development, when API_JWT_SECRET is unset, the built-in
            value, or shorter than 32 characters.
    """
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    if settings.environment == "development":
        return secret or DEVELOPMENT_SECRET
    if not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32:
        raise SettingsError(
            "API_JWT_SECRET must be set to a private value of at least 32 characters "
            "(only API_ENVIRONMENT=development may run with the built-in one)"
        )
    return secret
