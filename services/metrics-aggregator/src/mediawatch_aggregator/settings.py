"""Settings of the aggregator (``AGGREGATOR_*``), read once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import Field, PositiveFloat, PositiveInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_aggregator.windowing.stage_aggregator import AggregationConfig
from mediawatch_aggregator.windowing.window_specs import WindowSpec, parse_specs
from mediawatch_common.settings import load_group

PREFIX = "AGGREGATOR_"


class AggregatorSettings(BaseSettings):
    """Windows, lateness, batching and Faust identity of the metrics aggregator."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", case_sensitive=False
    )

    app_id: str = Field(
        "mediawatch-aggregator",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Faust app id: consumer group and prefix of the internal topics.",
    )
    state_dir: Path = Field(Path("temp/aggregator"), description="Faust's local state directory.")
    store: str = Field("memory://", description="Faust table store; rebuilt from the changelog.")
    windows: str = Field(
        "60,300/60,3600/60", description="Window sizes in seconds, 'size' or 'size/hop', commas."
    )
    grace_seconds: float = Field(
        10.0, ge=0, description="How long after a window's end late events still count."
    )
    late_retention_seconds: float = Field(
        600.0, ge=0, description="How long after closing a window's late events are reported."
    )
    max_delay_seconds: float = Field(
        5.0,
        ge=0,
        description=(
            "Longest expected delay between an event's time and its arrival on the pipeline "
            "topic: a partition read to its end holds the clock this far behind the wall clock."
        ),
    )
    tick_seconds: PositiveFloat = Field(1.0, description="How often due windows are closed.")
    update_interval_seconds: PositiveFloat = Field(
        5.0, description="How often changed open windows are published (coalesced)."
    )
    batch_size: PositiveInt = Field(5000, description="Most pipeline events read per batch.")
    batch_timeout_seconds: PositiveFloat = Field(
        0.2, description="Longest wait for a batch to fill."
    )
    partitions: PositiveInt = Field(
        7, description="Partitions of the internal topics; at most this many workers share work."
    )
    session_timeout_seconds: float = Field(
        10.0,
        ge=6,
        le=300,
        description=(
            "How long the broker waits for a silent worker before its stages move to the other "
            "workers (Faust's own default is 60 s)."
        ),
    )
    alpha: float = Field(
        0.01, gt=0, lt=0.5, description="Relative error bound of the duration percentiles."
    )

    @field_validator("windows")
    @classmethod
    def _windows(cls, value: str) -> str:
        parse_specs(value)
        return value

    @property
    def specs(self) -> tuple[WindowSpec, ...]:
        """The parsed window specs."""
        return parse_specs(self.windows)

    def aggregation(self) -> AggregationConfig:
        """The pure aggregation's configuration."""
        return AggregationConfig(
            self.specs,
            self.grace_seconds,
            self.late_retention_seconds,
            self.alpha,
            self.max_delay_seconds,
        )


def load_aggregator_settings(env: Mapping[str, str] | None = None) -> AggregatorSettings:
    """Reads ``AGGREGATOR_*`` from ``env`` (default: the process environment).

    Raises:
        SettingsError: Naming each invalid variable.
    """
    return load_group(AggregatorSettings, env)
