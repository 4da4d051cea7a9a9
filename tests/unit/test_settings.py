from __future__ import annotations

import pytest

from mediawatch_common.settings import SettingsError, load_settings, parse_size

pytestmark = pytest.mark.unit


def test_defaults_are_the_guides() -> None:
    settings = load_settings({})
    assert settings.monitoring.error_rate_threshold == 0.1
    assert settings.monitoring.processing_time_threshold == 300
    assert settings.monitoring.memory_threshold == 80
    assert settings.monitoring.disk_threshold == 90
    assert settings.log.level == "INFO"
    assert settings.log.rotation_size == 50 * 1024 * 1024
    assert settings.log.backup_count == 5
    assert settings.health.cache_duration == 60
    assert settings.health.timeout == 10
    assert settings.retention.alert_retention_count == 500
    assert settings.retention.metrics_retention_hours == 24
    assert settings.database.url is None


def test_environment_overrides_defaults() -> None:
    settings = load_settings(
        {
            "MONITORING_ERROR_RATE_THRESHOLD": "0.25",
            "LOG_ROTATION_SIZE": "10MB",
            "log_level": "debug",
            "KAFKA_BOOTSTRAP_SERVERS": "a:1,b:2",
            "DATABASE_URL": "postgresql://u:hunter2@h/db",
            "DATABASE_SCHEMA": "projections_v2",
        }
    )
    assert settings.database.schema_name == "projections_v2"
    assert settings.monitoring.error_rate_threshold == 0.25
    assert settings.log.rotation_size == 10 * 1024 * 1024
    assert settings.log.level == "DEBUG"
    assert settings.kafka.bootstrap_servers == "a:1,b:2"
    assert settings.database.url is not None
    assert "hunter2" not in repr(settings.database)
    assert settings.database.url.get_secret_value().endswith("/db")


def test_bad_values_name_every_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                "MONITORING_ERROR_RATE_THRESHOLD": "1.5",
                "MONITORING_DISK_THRESHOLD": "ninety",
                "HEALTH_CHECK_TIMEOUT": "0",
                "LOG_ROTATION_SIZE": "5 parsecs",
            }
        )
    message = str(caught.value)
    for variable in (
        "MONITORING_ERROR_RATE_THRESHOLD",
        "MONITORING_DISK_THRESHOLD",
        "HEALTH_CHECK_TIMEOUT",
        "LOG_ROTATION_SIZE",
    ):
        assert variable in message


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(ValueError, match="frozen"):
        settings.monitoring.error_rate_threshold = 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50MB", 50 * 1024**2), ("512 kb", 512 * 1024), ("1048576", 1048576), ("1.5GB", 1610612736)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "-1MB", "10 TB", "ten"])
def test_parse_size_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)
