"""Settings of the notifier (``NOTIFIER_*``), read once at the entry point."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import AnyHttpUrl, Field, PositiveFloat, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_common.settings import load_group

SinkType = Literal["slack", "discord", "teams", "webhook", "alertmanager"]
WebhookFormat = Literal["mediawatch", "alertmanager"]
LevelName = Literal["info", "warning", "error", "critical"]


class NotifierSettings(BaseSettings):
    """Delivery to chat sinks. Either ``routes_file`` or the one-sink shortcut variables."""

    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", frozen=True, extra="ignore")

    routes_file: Path | None = Field(None, description="YAML/JSON file of sinks and routes.")
    url: SecretStr | None = Field(None, description="One-sink shortcut: the webhook URL.")
    sink_type: SinkType = Field("slack", description="One-sink shortcut: kind of sink.")
    secret: SecretStr | None = Field(
        None, description="One-sink shortcut: HMAC key of a generic webhook."
    )
    min_level: LevelName = Field("warning", description="One-sink shortcut: lowest level sent.")
    group_id: str = Field("mediawatch-notifier", description="Consumer group of the notifier.")
    group_wait_seconds: float = Field(
        10.0, ge=0, description="How long a new group collects alerts before the first message."
    )
    repeat_interval_seconds: PositiveFloat = Field(
        4 * 3600.0, description="Re-send a group whose alerts are still firing after this long."
    )
    send_resolved: bool = Field(True, description="Also announce resolved alerts.")
    timeout_seconds: PositiveFloat = Field(5.0, description="Timeout of one HTTP request.")
    max_attempts: int = Field(5, ge=1, description="Attempts per sink before giving up.")
    backoff_initial_seconds: float = Field(1.0, ge=0, description="First retry delay ceiling.")
    backoff_max_seconds: float = Field(60.0, ge=0, description="Cap of the retry delay ceiling.")
    max_retry_after_seconds: float = Field(300.0, ge=0, description="Cap on a sink's Retry-After.")
    rate_limit_per_minute: PositiveFloat = Field(
        30.0, description="Messages per minute per sink (bursts up to the same number)."
    )
    allow_link_local: bool = Field(
        False, description="Allow link-local and cloud-metadata webhook addresses (never needed)."
    )
    workers: int = Field(8, ge=1, description="Concurrent HTTP deliveries.")
    dashboard_url: AnyHttpUrl | None = Field(
        None,
        description="Public address of the dashboard: Alertmanager alerts link to its pages.",
    )


S = TypeVar("S", bound=BaseSettings)


def load(cls: type[S], env: Mapping[str, str] | None = None) -> S:
    """Build one settings class from ``env`` (default: the process environment).

    Raises:
        SettingsError: naming each invalid variable.
    """
    return load_group(cls, env)
