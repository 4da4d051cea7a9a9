"""One frozen settings class per concern, each bound to its environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_common.settings.kafka import KafkaSettings, settings_config

__all__ = [
    "DatabaseSettings",
    "HealthCheckSettings",
    "KafkaSettings",
    "LogSettings",
    "MetricsSettings",
    "MonitoringSettings",
    "RetentionSettings",
    "ShutdownSettings",
]

Percent = Annotated[float, Field(gt=0, le=100)]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _config(prefix: str) -> SettingsConfigDict:
    return settings_config(prefix)


class MonitoringSettings(BaseSettings):
    """Thresholds that alerts and health checks compare against (``MONITORING_*``)."""

    model_config = _config("MONITORING_")

    error_rate_threshold: float = Field(
        0.1, ge=0, le=1, description="Error rate (0..1) above which an error alert fires."
    )
    processing_time_threshold: PositiveInt = Field(
        300, description="Seconds a stage may take before a performance warning."
    )
    ffmpeg_slow_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of processing_time_threshold one ffmpeg run may take before a "
        "performance warning.",
    )
    memory_threshold: Percent = Field(80, description="Memory usage percent that raises a warning.")
    cpu_threshold: Percent = Field(80, description="CPU usage percent that raises a warning.")
    disk_threshold: Percent = Field(90, description="Disk usage percent that raises a warning.")
    critical_threshold: Percent = Field(95, description="Resource usage percent that is critical.")
    stuck_session_minutes: PositiveInt = Field(
        30,
        description="Minutes after its start an unfinished session counts as stuck.",
    )


class LogSettings(BaseSettings):
    """Structured logging (``LOG_*``): files under ``dir``, records shipped to the logs topic.

    Each process writes its four files in a directory of its own under ``dir``, named after
    its service (``transcoder``, ``api``) or command; a second process of the same name on
    the host takes ``NAME-2``, and so on.
    """

    model_config = _config("LOG_")

    level: LogLevel = Field("INFO", description="Level of application.log.")
    rotation_size: int = Field(
        50 * 1024**2, description="application.log rotation size (e.g. 50MB)."
    )
    backup_count: int = Field(5, ge=0, description="application.log backups kept.")
    dir: Path = Field(Path("temp/logs"), description="Directory of the log files.")
    console: bool = Field(True, description="Also write JSON records to stderr.")
    console_level: LogLevel = Field("WARNING", description="Level of the records on stderr.")
    ship: bool = Field(True, description="Services ship their records to the logs topic.")
    ship_level: LogLevel = Field("INFO", description="Level of the records shipped.")
    ship_queue_size: PositiveInt = Field(
        10_000, description="Records waiting to be shipped; beyond it, records are dropped."
    )
    ship_flush_seconds: float = Field(
        5.0, ge=0, le=60, description="At shutdown, how long queued records may take to ship."
    )

    @field_validator("rotation_size", mode="before")
    @classmethod
    def _size(cls, value: object) -> int:
        from mediawatch_common.settings.sizes import parse_size

        if isinstance(value, str | int):
            return parse_size(value)
        raise ValueError(f"not a size: {value!r}")

    @field_validator("level", "console_level", "ship_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class HealthCheckSettings(BaseSettings):
    """Health checks (``HEALTH_CHECK_*``)."""

    model_config = _config("HEALTH_CHECK_")

    cache_duration: int = Field(60, ge=0, description="Seconds a detailed health result is reused.")
    timeout: PositiveInt = Field(
        10, description="Seconds before a single check (e.g. ffmpeg) times out."
    )
    interval_seconds: float = Field(
        300.0, ge=1, description="Seconds between two runs of the health reporter on a host."
    )
    consumer_lag_threshold: PositiveInt = Field(
        10_000, description="Messages a consumer group may be behind before its lag is high."
    )
    missed_reports: PositiveInt = Field(
        3, description="Reports a host may miss before its reporter counts as missing."
    )
    temp_dir: Path = Field(Path("temp"), description="Processing temp directory to check.")
    ffmpeg_binary: str = Field("ffmpeg", description="ffmpeg executable to check.")


class RetentionSettings(BaseSettings):
    """How much monitoring data the projections keep."""

    model_config = _config("")

    alert_retention_count: PositiveInt = Field(
        500, description="Alerts kept by cleanup (ALERT_RETENTION_COUNT)."
    )
    metrics_retention_hours: PositiveInt = Field(
        24, description="Hours of metrics kept by cleanup (METRICS_RETENTION_HOURS)."
    )
    log_retention_hours: PositiveInt | None = Field(
        None, description="Hours of log records kept by cleanup; unset: METRICS_RETENTION_HOURS."
    )

    @property
    def log_hours(self) -> int:
        """Hours of log records kept: LOG_RETENTION_HOURS, else METRICS_RETENTION_HOURS."""
        return self.log_retention_hours or self.metrics_retention_hours


class MetricsSettings(BaseSettings):
    """The Prometheus exposition of a service (``METRICS_*``)."""

    model_config = _config("METRICS_")

    port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of the /metrics HTTP server; 0 disables it; unset: the service's "
        "default (transcoder 9401, aggregator 9402, alerter 9403, notifier 9404, "
        "projector 9405, health reporter 9406).",
    )
    host: str = Field("127.0.0.1", min_length=1, description="Address the server listens on.")


class ShutdownSettings(BaseSettings):
    """How long a service may take to stop (``SHUTDOWN_*``)."""

    model_config = _config("SHUTDOWN_")

    timeout_seconds: float = Field(
        25.0,
        gt=0,
        le=600,
        description="Seconds from SIGTERM or SIGINT until a service still stopping is ended "
        "(status 1); keep it under the orchestrator's grace period (Kubernetes: 30 s).",
    )


class DatabaseSettings(BaseSettings):
    """PostgreSQL connection (``DATABASE_URL``)."""

    model_config = _config("DATABASE_")

    url: SecretStr | None = Field(
        None, description="postgresql:// URL; `make up` provides one for the local cluster."
    )
    schema_name: str = Field(
        "public",
        alias="DATABASE_SCHEMA",
        pattern=r"^[a-z_][a-z0-9_]*$",
        description="Schema of the projections.",
    )
