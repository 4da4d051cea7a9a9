"""The checks a reporter runs on its host, built from the settings."""

from __future__ import annotations

from mediawatch_common.health import (
    Check,
    check_consumer_lag,
    check_ffmpeg,
    check_host_resources,
    check_log_files,
    check_storage,
    check_temp_directory,
    describe,
)
from mediawatch_common.kafka import Topics, connection_config
from mediawatch_common.settings import Settings
from mediawatch_common.storage import StorageSettings, storage_from_settings


def host_checks(settings: Settings, storage: StorageSettings, topics: Topics) -> dict[str, Check]:
    """Resources, ffmpeg, the results storage backend, temp directory, log files and the
    consumer lag of every group reading our topics."""
    health = settings.health
    timeout = float(health.timeout)
    backend = storage_from_settings(storage)
    where = describe(storage)
    watched = [t.name for t in topics.all() if t is not topics.deadletter]
    return {
        "system_resources": lambda: check_host_resources(settings.monitoring, health.temp_dir),
        "ffmpeg": lambda: check_ffmpeg(health.ffmpeg_binary, timeout),
        "storage": lambda: check_storage(backend, where),
        "temp_directory": lambda: check_temp_directory(health.temp_dir, settings.monitoring),
        "log_files": lambda: check_log_files(settings.log),
        "consumer_lag": lambda: check_consumer_lag(
            connection_config(settings.kafka), watched, health.consumer_lag_threshold, timeout
        ),
    }
