"""The numbers the Prometheus alerting rules compare against, from the alerter's settings."""

from __future__ import annotations

from dataclasses import dataclass

from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.settings import HealthCheckSettings, MonitoringSettings

SETTING_OF = {
    "error_rate": "MONITORING_ERROR_RATE_THRESHOLD",
    "min_completions": "ALERTER_MIN_WINDOW_ATTEMPTS",
    "processing_seconds": "MONITORING_PROCESSING_TIME_THRESHOLD",
    "consumer_lag": "HEALTH_CHECK_CONSUMER_LAG_THRESHOLD",
    "cpu_percent": "MONITORING_CPU_THRESHOLD",
    "memory_percent": "MONITORING_MEMORY_THRESHOLD",
    "disk_percent": "MONITORING_DISK_THRESHOLD",
    "critical_percent": "MONITORING_CRITICAL_THRESHOLD",
    "resource_for_seconds": "ALERTER_RESOURCE_FOR_SECONDS",
}
"""The environment variable each threshold comes from."""


@dataclass(frozen=True, slots=True)
class RuleThresholds:
    """What the built-in alerter judges by, for the rules Prometheus evaluates."""

    error_rate: float
    min_completions: int
    processing_seconds: int
    consumer_lag: int
    cpu_percent: float
    memory_percent: float
    disk_percent: float
    critical_percent: float
    resource_for_seconds: float

    @classmethod
    def from_settings(
        cls, monitoring: MonitoringSettings, health: HealthCheckSettings, alerter: AlerterSettings
    ) -> RuleThresholds:
        """The thresholds the alerter and the health reporter use with these settings."""
        return cls(
            error_rate=monitoring.error_rate_threshold,
            min_completions=alerter.min_window_attempts,
            processing_seconds=monitoring.processing_time_threshold,
            consumer_lag=health.consumer_lag_threshold,
            cpu_percent=monitoring.cpu_threshold,
            memory_percent=monitoring.memory_threshold,
            disk_percent=monitoring.disk_threshold,
            critical_percent=monitoring.critical_threshold,
            resource_for_seconds=alerter.resource_for_seconds,
        )

    def named(self, field: str) -> str:
        """``VARIABLE (value)`` for a comment naming where a threshold comes from."""
        return f"{SETTING_OF[field]} ({number(getattr(self, field))})"


def number(value: float) -> str:
    """``value`` as a PromQL number: no trailing ``.0``, every digit Python keeps."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def percent(ratio: float) -> str:
    """A ratio as a percentage for people: 0.1 -> ``10%``, 0.125 -> ``12.5%``."""
    return f"{round(ratio * 100, 6):g}%"


def prometheus_duration(seconds: float) -> str:
    """A ``for:`` duration: 60 -> ``1m``, 90 -> ``1m30s``, 0.5 -> ``500ms``; 0 -> ``0s``."""
    units = (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1))
    return "".join(_in_units(round(seconds * 1000), units)) or "0s"


def human_duration(seconds: int) -> str:
    """Seconds for people: 300 -> ``5m``, 350 -> ``5m 50s``, 3600 -> ``1h``."""
    units = (("d", 86_400), ("h", 3600), ("m", 60), ("s", 1))
    return " ".join(_in_units(seconds, units)) or "0s"


def _in_units(amount: int, units: tuple[tuple[str, int], ...]) -> list[str]:
    """``amount`` split into ``units`` (largest first), zero counts left out: ``["1m", "30s"]``."""
    parts = []
    for unit, size in units:
        count, amount = divmod(amount, size)
        if count:
            parts.append(f"{count}{unit}")
    return parts
