"""The worker's events go out through mediawatch-client, the library every pipeline uses.

A session yields typed stage events (:mod:`mediawatch_transcoder.session`); this edge turns
each into the client call that emits it, with the attempt and times the worker knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediawatch_client import ClientConfig, MediaMonitor
from mediawatch_common.events import Event, StageCompleted, StageStarted
from mediawatch_common.kafka import Connection, Topics, client_properties
from mediawatch_transcoder.settings import TranscoderSettings

PRODUCER_NAME = "transcoder"


def client_config(
    settings: TranscoderSettings, connection: Connection, topics: Topics
) -> ClientConfig:
    """The client's settings: the worker's brokers (TLS, SASL) and topics, its own spool."""
    kafka = client_properties(connection)
    bootstrap = str(kafka.pop("bootstrap.servers"))
    prefix = topics.pipeline.name.removesuffix(".pipeline")
    config = ClientConfig(
        bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        producer_name=PRODUCER_NAME,
        spool_dir=settings.spool_dir,
        close_timeout=settings.close_timeout_seconds,
        kafka=kafka,
    )
    if (config.pipeline_topic, config.resources_topic) != (
        topics.pipeline.name,
        topics.resources.name,
    ):
        raise ValueError(f"topics {topics.pipeline.name} do not share the prefix {prefix!r}")
    return config


@dataclass(frozen=True, slots=True)
class StageReporter:
    """Emits a session's ``StageStarted``/``StageCompleted`` through ``monitor``."""

    monitor: MediaMonitor

    def __call__(self, event: Event) -> None:
        """Report one stage event; other events are not the session's to emit."""
        if isinstance(event, StageStarted):
            self._started(event)
        elif isinstance(event, StageCompleted):
            self._completed(event)
        else:
            raise TypeError(f"a session emits stage events, not {type(event).__name__}")

    def _started(self, e: StageStarted) -> None:
        sizes = {"video_count": e.video_count, "total_size_bytes": e.total_size_bytes}
        self.monitor.start_processing_sync(
            e.session_id,
            e.user_id,
            e.stage.name,
            {k: v for k, v in sizes.items() if v is not None},
            attempt=e.attempt,
            started_at=e.event_time,
        )

    def _completed(self, e: StageCompleted) -> None:
        self.monitor.complete_processing_sync(
            e.session_id,
            e.stage.name,
            e.success,
            file_size_bytes=e.output_size_bytes,
            video_count=e.video_count,
            error_message=e.error_message,
            error_code=e.error_code.name if e.error_code else None,
            user_id=e.user_id,
            input_size_bytes=e.input_size_bytes,
            duration_seconds=e.duration_seconds,
            peak_memory_mb=e.peak_memory_mb,
            cpu_percent=e.cpu_percent,
            attempt=e.attempt,
            started_at=e.started_at,
        )

    def lost(self, started: StageStarted) -> None:
        """Close a stage a dead worker left open: ``WORKER_LOST`` for its attempt."""
        self.monitor.complete_lost_stage_sync(
            started.session_id,
            started.user_id,
            started.stage.name,
            started.attempt,
            started.event_time,
            video_count=started.video_count,
        )
