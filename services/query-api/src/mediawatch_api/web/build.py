"""Wire the collaborators of the API from settings (the composition root)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from mediawatch_api.health import HealthRunner
from mediawatch_api.health.remote import (
    check_kafka,
    check_pipeline,
    check_postgres,
    check_system_resources,
)
from mediawatch_api.ingest.limits import DELIVERY_TIMEOUT_SECONDS
from mediawatch_api.settings import ApiSettings
from mediawatch_api.web.services import EventLog, Services
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.health import (
    check_ffmpeg,
    check_log_files,
    check_storage,
    check_temp_directory,
    describe,
)
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.settings import Settings
from mediawatch_common.storage import StorageSettings, storage_from_settings
from mediawatch_store import make_engine


def build_services(
    settings: Settings,
    api: ApiSettings,
    url: str,
    projector_group: str,
    storage: StorageSettings,
) -> Services:
    """Engine, producer and the runner of this host's health checks for the API.

    ``storage`` is the transcoder's results backend, which the storage check probes.
    """
    engine = make_engine(url, settings.database.schema_name, pool_size=8)
    topics = declare_topics(settings.kafka.topic_prefix)
    bootstrap = connection_config(settings.kafka)
    # A bounded delivery timeout: when a request answers, each of its events is known to be
    # acknowledged or refused, so the ingest can release what Kafka refused.
    timeouts = {"delivery.timeout.ms": int(DELIVERY_TIMEOUT_SECONDS * 1000)}
    producer = EventProducer(
        producer_config(bootstrap, f"{settings.kafka.client_id}-api", timeouts)
    )
    events = EventLog(producer, topics)
    timeout = float(settings.health.timeout)
    now = functools.partial(datetime.now, UTC)
    projected = [s.name for s in topics.all() if s is not topics.deadletter]
    health_settings = settings.health
    backend, where = storage_from_settings(storage), describe(storage)
    checks = {
        "system_resources": lambda: check_system_resources(
            engine, settings.monitoring, health_settings.temp_dir, now()
        ),
        "ffmpeg": lambda: check_ffmpeg(health_settings.ffmpeg_binary, timeout),
        "storage": lambda: check_storage(backend, where),
        "temp_directory": lambda: check_temp_directory(
            health_settings.temp_dir, settings.monitoring
        ),
        "processing_pipeline": lambda: check_pipeline(engine, settings.monitoring, now()),
        "log_files": lambda: check_log_files(settings.log),
        "kafka": lambda: check_kafka(engine, bootstrap, projected, projector_group, timeout),
        "postgresql": lambda: check_postgres(engine),
    }
    health = HealthRunner(checks, timeout, health_settings.cache_duration)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    return Services(settings, api, engine, events, health, projector_group, codec)
