"""Load every settings group once, turning validation errors into one clear message."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class PathSettings(BaseSettings):
    """Where the project's files are (``MEDIAWATCH_*``)."""

    model_config = SettingsConfigDict(env_prefix="MEDIAWATCH_", frozen=True, extra="ignore")

    schema_dir: Path | None = Field(
        None, description="Directory of the .avsc files (found from the package when unset)."
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of a Mediawatch process."""

    monitoring: MonitoringSettings
    log: LogSettings
    health: HealthCheckSettings
    retention: RetentionSettings
    kafka: KafkaSettings
    database: DatabaseSettings
    paths: PathSettings
    metrics: MetricsSettings
    shutdown: ShutdownSettings


T = TypeVar("T", bound=BaseSettings)


def _build(cls: type[T], prefix: str, env: Mapping[str, str]) -> T:
    try:
        keys = {k.upper(): v for k, v in env.items()}
        # Validation goes by alias where a field has one (DATABASE_SCHEMA), else by name.
        values = {
            field.alias or name: keys[var]
            for name, field in cls.model_fields.items()
            if (var := (field.alias or prefix + name).upper()) in keys
        }
        build: Callable[..., T] = _from_mapping_only(cls)
        return build(**values)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, prefix, cls)) from None


_ISOLATED: dict[type[BaseSettings], type[BaseSettings]] = {}


def _from_mapping_only(cls: type[T]) -> type[T]:
    """``cls`` reading nothing but the values given to it.

    pydantic-settings would otherwise fill unset fields from the process environment, so an
    explicit mapping (a test, a tool) would not be the whole truth.
    """
    if cls not in _ISOLATED:

        def sources(_cls: type[BaseSettings], *_args: Any, **kwargs: Any) -> tuple[Any, ...]:
            return (kwargs["init_settings"],)

        _ISOLATED[cls] = type(
            cls.__name__, (cls,), {"settings_customise_sources": classmethod(sources)}
        )
    return cast(type[T], _ISOLATED[cls])


def _describe(exc: ValidationError, prefix: str, cls: type[BaseSettings]) -> str:
    problems = []
    for error in exc.errors():
        if not error["loc"]:  # a rule across fields: its message names the variables
            problems.append(str(error["msg"]).removeprefix("Value error, "))
            continue
        name = str(error["loc"][0])
        field = cls.model_fields.get(name)
        var = (field.alias if field and field.alias else prefix + name).upper()
        var += "".join(f"[{part}]" for part in error["loc"][1:])
        shown = error.get("input")
        problems.append(f"{var}={shown!r}: {error['msg']}")
    return "; ".join(problems)


_GROUPS: dict[str, tuple[type[BaseSettings], str]] = {
    "monitoring": (MonitoringSettings, "MONITORING_"),
    "log": (LogSettings, "LOG_"),
    "health": (HealthCheckSettings, "HEALTH_CHECK_"),
    "retention": (RetentionSettings, ""),
    "kafka": (KafkaSettings, "KAFKA_"),
    "database": (DatabaseSettings, "DATABASE_"),
    "paths": (PathSettings, "MEDIAWATCH_"),
    "metrics": (MetricsSettings, "METRICS_"),
    "shutdown": (ShutdownSettings, "SHUTDOWN_"),
}


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every settings group from ``env`` (default: the process environment).

    Raises:
        SettingsError: naming every variable whose value is invalid.
    """
    source = os.environ if env is None else env
    groups: dict[str, BaseSettings] = {}
    problems: list[str] = []
    for name, (cls, prefix) in _GROUPS.items():
        try:
            groups[name] = _build(cls, prefix, source)
        except SettingsError as exc:
            problems.append(str(exc))
    if problems:
        raise SettingsError("invalid configuration: " + "; ".join(problems))
    return Settings(**groups)  # type: ignore[arg-type]


def load_group(cls: type[T], env: Mapping[str, str] | None = None) -> T:
    """Read one settings class by its ``env_prefix`` from ``env`` (default: the process
    environment). Services load their own groups with it, once, at their entry point.

    Raises:
        SettingsError: naming every variable whose value is invalid.
    """
    prefix = str(cls.model_config.get("env_prefix", ""))
    try:
        return _build(cls, prefix, os.environ if env is None else env)
    except SettingsError as exc:
        raise SettingsError(f"invalid configuration: {exc}") from None
