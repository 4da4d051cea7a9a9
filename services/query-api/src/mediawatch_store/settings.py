"""Settings both the projector and the query API read: the projector's group, whose stored
positions the API reports as its lag, and the database URL."""

from __future__ import annotations

import click
from pydantic import Field, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_common.settings import Settings


class ProjectorSettings(BaseSettings):
    """The projector (``PROJECTOR_*``)."""

    model_config = SettingsConfigDict(env_prefix="PROJECTOR_", frozen=True, extra="ignore")

    group_id: str = Field("mediawatch-projector", min_length=1, description="Consumer group.")
    batch_size: PositiveInt = Field(5000, description="Most events written per transaction.")
    processes: int = Field(
        1,
        ge=1,
        le=16,
        description="Members of the group run by one `mediawatch run projector` (processes).",
    )
    cleanup_interval_seconds: PositiveInt = Field(
        3600, description="Seconds between two scheduled retention cleanups."
    )


def database_url(settings: Settings) -> str:
    """The configured DATABASE_URL, or a clear error."""
    if settings.database.url is None:
        raise click.UsageError("DATABASE_URL is not set (`bash infra/stack/postgres.sh url`)")
    return settings.database.url.get_secret_value()
