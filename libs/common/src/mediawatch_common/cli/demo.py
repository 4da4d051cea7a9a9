"""``mediawatch demo``: two synthetic sessions through the event log, summarised."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import click
from rich.console import Console
from rich.table import Table

from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.demo import RoundTrip, StageOutcome, round_trip, synthetic_session
from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
)
from mediawatch_common.kafka import EventProducer, declare_topics, producer_config
from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.settings import Settings


@click.command()
@pass_settings
def demo(settings: Settings) -> None:
    """Produce two synthetic sessions (one fails at merging), read them back, summarise."""
    topics = declare_topics(settings.kafka.topic_prefix)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    producer_id = Producer.current("demo")
    run = uuid.uuid4().hex[:8]
    start = datetime.now(UTC) - timedelta(minutes=2)
    merge_failure = StageOutcome(Stage.MERGING, ErrorCode.FFMPEG_FAILED, "FFmpeg process failed")
    events: list[Event] = [
        *synthetic_session(f"video_session_{run}_ok", "user_456", start, producer_id),
        *synthetic_session(
            f"video_session_{run}_bad", "user_789", start, producer_id, failure=merge_failure
        ),
    ]
    routes = [
        (topics.resources.name if isinstance(e, ResourceSample) else topics.pipeline.name, e)
        for e in events
    ]
    producer = EventProducer(producer_config(connection_config(settings.kafka), "mediawatch-demo"))
    result = round_trip(connection_config(settings.kafka), routes, producer, codec)
    _print(result, start)
    if not result.identical:
        raise click.ClickException("the events read back differ from those produced")


def _print(result: RoundTrip, start: datetime) -> None:
    console = Console()
    table = Table(title="Events read back from Kafka", show_lines=False)
    for column in ("t+s", "event", "session", "stage", "outcome", "seconds"):
        table.add_column(column)
    for event in sorted(result.consumed, key=lambda e: e.event_time):
        table.add_row(*_row(event, start))
    console.print(table)
    failures = [e for e in result.consumed if isinstance(e, StageCompleted) and not e.success]
    console.print(
        f"produced {len(result.produced)} events ({result.bytes_produced} bytes of Avro), "
        f"read back {len(result.consumed)}, "
        f"identical field by field: {'yes' if result.identical else '[red]NO[/red]'}; "
        f"failed stages: {len(failures)}",
        soft_wrap=True,
    )


def _row(event: Event, start: datetime) -> tuple[str, ...]:
    offset = f"{(event.event_time - start).total_seconds():6.1f}"
    if isinstance(event, StageStarted):
        return offset, "StageStarted", event.session_id, event.stage.label, "", ""
    if isinstance(event, StageCompleted):
        outcome = (
            "ok"
            if event.success
            else f"[red]{event.error_code.value if event.error_code else 'failed'}[/red]"
        )
        return (
            offset,
            "StageCompleted",
            event.session_id,
            event.stage.label,
            outcome,
            f"{event.duration_seconds:.1f}",
        )
    if isinstance(event, ResourceSample):
        usage = f"cpu {event.cpu_percent}% mem {event.memory_percent}%"
        return offset, "ResourceSample", event.host, "", usage, ""
    return offset, type(event).__name__, "", "", "", ""
