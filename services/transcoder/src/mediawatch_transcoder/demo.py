"""``mediawatch transcode-demo``: real sessions on generated clips, stage outcomes live."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from confluent_kafka import Consumer, TopicPartition
from rich.console import Console

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.cli.plugins import ships_logs_as
from mediawatch_common.events import (
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import (
    Connection,
    EventProducer,
    Topics,
    client_properties,
    connection_config,
    declare_topics,
    producer_config,
)
from mediawatch_common.settings import Settings
from mediawatch_transcoder.cli import slow_limits, transcoder_settings
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.submit import transcode_request
from mediawatch_transcoder.worker import build, serve_in_thread, stop_all


def generate_clips(folder: Path) -> dict[str, Path]:
    """Short test clips made by ffmpeg: landscape, portrait (rotated), silent, broken."""
    lavfi = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i"]
    enc = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    sine = ["-f", "lavfi", "-i", "sine=frequency=440", "-c:a", "aac"]
    clips = {
        "landscape": folder / "landscape.mp4",
        "portrait": folder / "portrait phone clip.mp4",
        "silent": folder / "silent.mp4",
        "broken": folder / "broken.mp4",
    }
    raw = folder / "raw.mp4"
    run = subprocess.run
    run([*lavfi, "testsrc=size=640x360:rate=30", *sine, "-t", "2", *enc, "-y",
         str(clips["landscape"])], check=True)  # fmt: skip
    run([*lavfi, "testsrc2=size=640x360:rate=30", *sine, "-t", "2", *enc, "-y", str(raw)],
        check=True)  # fmt: skip
    run(["ffmpeg", "-v", "error", "-i", str(raw), "-c", "copy", "-metadata:s:v:0", "rotate=90",
         "-y", str(clips["portrait"])], check=True)  # fmt: skip
    run([*lavfi, "mandelbrot=size=640x360:rate=30", "-t", "1.5", *enc, "-y",
         str(clips["silent"])], check=True)  # fmt: skip
    clips["broken"].write_bytes(os.urandom(200_000))
    return clips


@ships_logs_as("transcoder")
@click.command("transcode-demo")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait in all.")
@click.option(
    "--local-worker/--no-local-worker",
    default=True,
    show_default=True,
    help="Run a worker in this process, or leave the jobs to the running transcoders.",
)
@pass_settings
def demo(settings: Settings, timeout: float, local_worker: bool) -> None:
    """Run two real sessions (one good, one with a broken file) through a worker."""
    console = Console()
    own = transcoder_settings()
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    topics = declare_topics(settings.kafka.topic_prefix)
    bootstrap = connection_config(settings.kafka)
    folder = Path(tempfile.mkdtemp(prefix="mediawatch-demo-"))
    console.print(f"generating clips with ffmpeg in {folder}")
    clips = generate_clips(folder)
    who = Producer.current("demo")
    jobs = [
        transcode_request(
            [clips["landscape"], clips["portrait"], clips["silent"]], "user_456", who
        ),
        transcode_request([clips["landscape"], clips["broken"]], "user_789", who),
    ]
    watcher = _watch(bootstrap, topics.pipeline.name)
    stack = ExitStack()
    if local_worker:
        stack.enter_context(_worker(own, bootstrap, topics, codec, settings))
    submitter = EventProducer(producer_config(bootstrap, "mediawatch-demo-submit"))
    for job in jobs:
        submitter.send(topics.jobs.name, encode_event(job, codec), key=job.session_id)
        console.print(f"submitted [bold]{job.session_id}[/bold]: {len(job.inputs)} clips")
    try:
        done = _follow(console, watcher, codec, {j.session_id for j in jobs}, timeout)
    finally:
        stack.close()
        watcher.close()
    console.print(f"store: {own.storage_dir.resolve()}/sessions/")
    if not done:
        raise click.ClickException("not every session finished in time")


@contextmanager
def _worker(
    own: TranscoderSettings,
    bootstrap: Connection,
    topics: Topics,
    codec: AvroCodec,
    settings: Settings,
) -> Iterator[None]:
    """A worker serving the jobs topic in a thread of this process until the block ends."""
    worker, loop, sampler = build(own, bootstrap, topics, codec, slow=slow_limits(settings))
    thread = serve_in_thread(worker, loop, sampler)
    try:
        yield
    finally:
        stop_all(loop, worker.runner)
        thread.join(timeout=60)


def _watch(bootstrap: Connection, topic: str) -> Consumer:
    consumer = Consumer({**client_properties(bootstrap), "group.id": "mediawatch-demo-watch",
                         "enable.auto.commit": False})  # fmt: skip
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    ends = [TopicPartition(topic, p, consumer.get_watermark_offsets(
        TopicPartition(topic, p), timeout=10)[1]) for p in partitions]  # fmt: skip
    consumer.assign(ends)
    return consumer


def _follow(
    console: Console, watcher: Consumer, codec: AvroCodec, sessions: set[str], timeout: float
) -> bool:
    """Print each stage event of ``sessions`` as it arrives, until each one is cleaned up."""
    waiting = set(sessions)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for msg in watcher.consume(100, 0.3):
            if msg.error() is not None:
                continue
            event = decode_event(msg.value() or b"", codec)
            if getattr(event, "session_id", None) not in sessions:
                continue
            if isinstance(event, StageStarted):
                console.print(f"  {event.session_id}  {event.stage.label:<15} started")
            elif isinstance(event, StageCompleted):
                console.print(_outcome(event))
                if event.stage is Stage.CLEANUP:
                    waiting.discard(event.session_id)
    return not waiting


def _outcome(event: StageCompleted) -> str:
    if event.success:
        status = "[green]ok[/green]"
    else:
        code = event.error_code.value if event.error_code else "FAILED"
        status = f"[red]{code}[/red] {event.error_message or ''}"
    usage = ""
    if event.peak_memory_mb is not None:
        usage = f" ffmpeg peak {event.peak_memory_mb:.0f} MiB, cpu {event.cpu_percent or 0:.0f}%"
    return (
        f"  {event.session_id}  {event.stage.label:<15} {status} "
        f"in {event.duration_seconds:.2f}s{usage}"
    )
