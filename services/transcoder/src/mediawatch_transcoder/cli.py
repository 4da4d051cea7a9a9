"""``mediawatch run transcoder`` and ``mediawatch submit``."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import click

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import Producer, encode_event
from mediawatch_common.kafka import (
    EventProducer,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.settings import Settings, SettingsError
from mediawatch_common.storage import S3Storage, StorageError, storage_from_settings
from mediawatch_transcoder.metrics import TranscoderMetrics, instrument
from mediawatch_transcoder.settings import TranscoderSettings, load_transcoder_settings
from mediawatch_transcoder.stage_logs import SlowLimits
from mediawatch_transcoder.submit import SizeOf, is_s3, transcode_request
from mediawatch_transcoder.worker import build, serve, stop_all


def transcoder_settings() -> TranscoderSettings:
    """The ``TRANSCODER_*`` settings, read once at the entry point."""
    try:
        return load_transcoder_settings()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


def slow_limits(settings: Settings) -> SlowLimits:
    """When a stage or an ffmpeg run is slow enough for performance.log."""
    monitoring = settings.monitoring
    return SlowLimits(monitoring.processing_time_threshold, monitoring.ffmpeg_slow_share)


@click.command("transcoder")
@pass_settings
def transcoder(settings: Settings) -> None:
    """Consume jobs and run each session's seven stages with ffmpeg (until SIGTERM)."""
    own = transcoder_settings()
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    topics = declare_topics(settings.kafka.topic_prefix)
    worker, loop, sampler = build(
        own, connection_config(settings.kafka), topics, codec, slow=slow_limits(settings)
    )
    instrument(worker.runner, TranscoderMetrics())

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"{signal.Signals(signum).name}: abandoning the current stage", err=True)
        stop_all(loop, worker.runner)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    serve(worker, loop, sampler)


@click.command("submit")
@click.argument("files", nargs=-1, required=True)
@click.option("--user", "user_id", default="user_cli", show_default=True, help="User id.")
@click.option("--session", "session_id", default=None, help="Session id (default: a new one).")
@click.option("--option", "options", multiple=True, help="Job option KEY=VALUE (crf, preset...).")
@pass_settings
def submit(
    settings: Settings,
    files: tuple[str, ...],
    user_id: str,
    session_id: str | None,
    options: tuple[str, ...],
) -> None:
    """Put a job for FILES (merged in this order) on the jobs topic; print its session id.

    A FILE is a local path, referenced by absolute path (file:// URI), so a worker must see
    the same file system; or an s3://bucket/key object, which each worker downloads (workers
    with TRANSCODER_STORAGE_BACKEND=s3). With that backend set here too, each object's size
    is read and a missing object refused. Clips are not validated here: the worker's UPLOAD
    stage does that.
    """
    pairs = dict(o.split("=", 1) for o in options if "=" in o)
    sources = [f if is_s3(f) else Path(f) for f in files]
    try:
        job = transcode_request(
            sources, user_id, Producer.current("submit"), session_id, pairs, object_sizes(sources)
        )
    except (ValueError, StorageError) as exc:
        raise click.UsageError(str(exc)) from None
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    producer = EventProducer(
        producer_config(connection_config(settings.kafka), "mediawatch-submit")
    )
    topic = declare_topics(settings.kafka.topic_prefix).jobs.name
    delivered = producer.send(topic, encode_event(job, codec), key=job.session_id)
    click.echo(f"{job.session_id} -> {delivered.topic}[{delivered.partition}]@{delivered.offset}")


def object_sizes(sources: list[str | Path]) -> SizeOf | None:
    """Sizes of ``s3://`` inputs from the S3 backend, when it is the one configured."""
    if not any(is_s3(s) for s in sources):
        return None
    storage = storage_from_settings(transcoder_settings())
    return storage.size if isinstance(storage, S3Storage) else None
