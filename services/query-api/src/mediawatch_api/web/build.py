"""Wire the collaborators of the API from settings (the composition root)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from mediawatch_api.db import make_engine
from mediawatch_api.health import HealthRunner
from mediawatch_api.health.local import (
    check_ffmpeg,
    check_log_files,
    check_storage,
    check_temp_directory,
)
from mediawatch_api.health.remote import (
    check_kafka,
    check_pipeline,
    check_postgres,
    check_system_resources,
)
from mediawatch_api.settings import ApiSettings
from mediawatch_api.web.services import EventLog, Services
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import HealthChecked, encode_event
from mediawatch_common.kafka import EventProducer, declare_topics, producer_config
from mediawatch_common.settings import Settings


def build_services(
    settings: Settings, api: ApiSettings, url: str, projector_group: str
) -> Services:
    """Engine, producer and health runner for the API."""
    engine = make_engine(url, settings.database.schema_name, pool_size=8)
    topics = declare_topics(settings.kafka.topic_prefix)
    bootstrap = settings.kafka.bootstrap_servers
    producer = EventProducer(producer_config(bootstrap, f"{settings.kafka.client_id}-api"))
    events = EventLog(producer, topics)
    timeout = float(settings.health.timeout)
    now = functools.partial(datetime.now, UTC)
    projected = [s.name for s in topics.all() if s is not topics.deadletter]

    def publish(event: HealthChecked) -> None:
        producer.produce(topics.resources.name, encode_event(event), key=event.host)
        producer.flush(timeout=timeout)

    checks = {
        "system_resources": lambda: check_system_resources(
            engine, settings.monitoring, api.temp_dir, now()
        ),
        "ffmpeg": lambda: check_ffmpeg(api.ffmpeg_binary, timeout),
        "storage": lambda: check_storage(api.storage_dir),
        "temp_directory": lambda: check_temp_directory(api.temp_dir),
        "processing_pipeline": lambda: check_pipeline(engine, settings.monitoring, now()),
        "log_files": lambda: check_log_files(settings.log),
        "kafka": lambda: check_kafka(engine, bootstrap, projected, projector_group, timeout),
        "postgresql": lambda: check_postgres(engine),
    }
    health = HealthRunner(checks, timeout, settings.health.cache_duration, publish)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    return Services(settings, api, engine, events, health, projector_group, codec)
