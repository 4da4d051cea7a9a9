"""Settings of the alerter (``ALERTER_*``), read once at the entry point.

Thresholds themselves come from the ``MONITORING_*`` variables (the common
``MonitoringSettings``); these add what only the alerter needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import Field, PositiveFloat
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediawatch_common.settings import load_group


class AlerterSettings(BaseSettings):
    """The rule engine's knobs beyond the ``MONITORING_*`` thresholds."""

    model_config = SettingsConfigDict(env_prefix="ALERTER_", frozen=True, extra="ignore")

    rules_file: Path | None = Field(
        None, description="YAML file of extra rules (docs/alerting.md)."
    )
    group_id: str = Field("mediawatch-alerter", description="Consumer group of the alerter.")
    tick_seconds: PositiveFloat = Field(
        5.0, description="How often time-based conditions (stuck sessions, `for`) are evaluated."
    )
    resource_for_seconds: float = Field(
        60.0, ge=0, description="How long CPU/memory/disk must stay high before an alert fires."
    )
    hysteresis_percent: float = Field(
        5.0, ge=0, description="Points under a resource threshold at which its alert clears."
    )
    error_rate_clear_ratio: float = Field(
        0.8, gt=0, le=1, description="Error rate alert clears at threshold x this ratio."
    )
    min_window_attempts: int = Field(
        5, ge=1, description="Windows with fewer attempts are not judged for error rate."
    )
    event_alert_ttl_seconds: PositiveFloat = Field(
        3600.0, description="A failure or slow-stage alert resolves after this long."
    )
    stale_after_seconds: PositiveFloat = Field(
        300.0,
        description="A resource alert, or a health alert from a check run on demand, not "
        "observed for this long resolves (a periodic reporter's health alerts never time out).",
    )
    health_topic: str | None = Field(
        None, description="An extra topic of HealthChecked events (the resources topic has them)."
    )
    deadletter_threshold: int = Field(
        10,
        ge=0,
        description="Dead letters of one topic and reason in the window past which "
        "a dead_letters alert fires (0: the first one fires).",
    )
    deadletter_window_seconds: PositiveFloat = Field(
        3600.0, description="The window dead letters are counted over (dead_letters alert)."
    )
    rebuild_timeout_seconds: PositiveFloat = Field(
        60.0, description="Longest wait while reading the alerts topic back at start."
    )


S = TypeVar("S", bound=BaseSettings)


def load(cls: type[S], env: Mapping[str, str] | None = None) -> S:
    """Build one settings class from ``env`` (default: the process environment).

    Raises:
        SettingsError: naming each invalid variable.
    """
    return load_group(cls, env)
