"""Reading the windows topic back: the latest closed result per stage and window size."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, TopicPartition
from rich.console import Console
from rich.table import Table

from mediawatch_common.avro import AvroCodec, DecodeError
from mediawatch_common.events import WindowAggregated, decode_event
from mediawatch_common.kafka import Connection, client_properties

WindowKey = tuple[str, int, int]


def latest_closed(
    bootstrap: Connection, topic: str, codec: AvroCodec, timeout: float
) -> dict[WindowKey, WindowAggregated]:
    """Reads ``topic`` up to its current end; keeps the latest closed window per key."""
    consumer = Consumer(
        {
            **client_properties(bootstrap),
            "group.id": f"mediawatch-windows-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    found: dict[WindowKey, WindowAggregated] = {}
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or not metadata.partitions:
            return found
        ends = {}
        for p in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high is not None and low is not None and high > low:
                ends[p] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in ends])
        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            for msg in consumer.consume(500, 0.5):
                if msg.error() is not None:
                    continue
                if (msg.offset() or 0) + 1 >= ends.get(msg.partition() or 0, 0):
                    ends.pop(msg.partition() or 0, None)
                _keep(found, msg.value(), codec)
    finally:
        consumer.close()
    return found


def _keep(found: dict[WindowKey, WindowAggregated], value: bytes | None, codec: AvroCodec) -> None:
    try:
        event = decode_event(value or b"", codec)
    except DecodeError:
        return
    if not isinstance(event, WindowAggregated) or not event.closed:
        return
    key = (event.stage.value, event.window_seconds, event.hop_seconds)
    known = found.get(key)
    if known is None or event.window_start >= known.window_start:
        found[key] = event


def render(found: dict[WindowKey, WindowAggregated]) -> None:
    """Prints one row per stage and window size."""
    table = Table("stage", "window", "start (UTC)", "attempts", "failures", "error rate")
    for column in ("p50 s", "p95 s", "p99 s", "late"):
        table.add_column(column, justify="right")
    for key in sorted(found):
        e = found[key]
        size = f"{e.window_seconds}s" + (
            f"/{e.hop_seconds}s" if e.hop_seconds != e.window_seconds else ""
        )
        table.add_row(
            e.stage.label,
            size,
            e.window_start.strftime("%Y-%m-%d %H:%M:%S"),
            str(e.attempts),
            str(e.failures),
            f"{e.error_rate:.1%}",
            *(_seconds(v) for v in (e.p50_seconds, e.p95_seconds, e.p99_seconds)),
            str(e.late_events),
        )
    console = Console()
    console.width = max(console.width, 120)
    console.print(table if found else "no closed window yet")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
