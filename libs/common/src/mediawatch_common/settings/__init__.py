"""Settings read once from the environment into frozen objects.

The shared variables (``MONITORING_*``, ``LOG_*``, ``HEALTH_CHECK_*``, ``ALERT_RETENTION_COUNT``,
``METRICS_RETENTION_HOURS``, ``SHUTDOWN_TIMEOUT_SECONDS``) have the defaults documented in the
README. Services call :func:`load_settings` once at their entry point and pass the result (or a
part of it) on.
"""

from __future__ import annotations

from mediawatch_common.settings.errors import SettingsError
from mediawatch_common.settings.groups import (
    DatabaseSettings,
    HealthCheckSettings,
    KafkaSettings,
    LogSettings,
    MetricsSettings,
    MonitoringSettings,
    RetentionSettings,
    ShutdownSettings,
)
from mediawatch_common.settings.loader import Settings, load_group, load_settings
from mediawatch_common.settings.sizes import parse_size

__all__ = [
    "DatabaseSettings",
    "HealthCheckSettings",
    "KafkaSettings",
    "LogSettings",
    "MetricsSettings",
    "MonitoringSettings",
    "RetentionSettings",
    "Settings",
    "SettingsError",
    "ShutdownSettings",
    "load_group",
    "load_settings",
    "parse_size",
]
