"""Avro encode + idempotent produce, against Kafka's ProducerPerformance."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from bench.model import Context, Figure, kafka_tool, median
from mediawatch_common.events import Producer, Stage, StageCompleted, encode_event
from mediawatch_common.kafka import EventProducer, producer_config

PROPS = {"linger.ms": 5, "compression.type": "lz4"}


def sample_event(n: int) -> StageCompleted:
    """A typical ~200-byte completion event."""
    now = datetime.now(UTC)
    return StageCompleted(
        producer=Producer(service="bench", host="bench-host", pid=1),
        session_id=f"session_{n:08d}",
        user_id=f"user_{n % 1000:04d}",
        stage=Stage.COMPRESSION,
        started_at=now,
        success=n % 10 != 0,
        duration_seconds=12.5 + n % 7,
        input_size_bytes=47_185_920,
        output_size_bytes=28_311_552,
        video_count=3,
        peak_memory_mb=512.3,
        cpu_percent=88.5,
    )


def ours_once(ctx: Context, topic: str, events: int | None = None) -> float:
    """Events/s of encoding and producing ``events`` (default: the run's size) events."""
    total = events or ctx.events
    producer = EventProducer(producer_config(ctx.connection, "bench-produce", PROPS))
    start = time.perf_counter()
    for n in range(total):
        producer.produce(topic, encode_event(sample_event(n)), key=f"session_{n:08d}")
    producer.flush()
    return total / (time.perf_counter() - start)


def baseline_once(ctx: Context, topic: str, size: int) -> float:
    out = kafka_tool(
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic",
        topic,
        "--num-records",
        str(ctx.events),
        "--record-size",
        str(size),
        "--throughput",
        "-1",
        "--producer.config",
        str(ctx.tool_config()),
        "--producer-props",
        "acks=all",
        "enable.idempotence=true",
        "linger.ms=5",
        "compression.type=lz4",
    )
    found = re.findall(r"records sent, ([\d.]+) records/sec", out)
    if not found:
        raise RuntimeError(f"no rate in ProducerPerformance output: {out[-500:]}")
    return float(found[-1])


def produce_encode(ctx: Context) -> Figure:
    size = len(encode_event(sample_event(0)))
    ours, base = [], []
    for n in range(ctx.repeats):
        ours.append(ours_once(ctx, ctx.new_topic("produce")))
        if n < ctx.tool_runs:
            base.append(baseline_once(ctx, ctx.new_topic("produce-base"), size))
    mine, theirs = median(ours), median(base)
    return Figure(
        name="produce events/s (Avro encode + idempotent produce)",
        unit="events/s",
        ours=mine,
        baseline=theirs,
        baseline_name=f"ProducerPerformance, {size} B, acks=all",
        target=">= 50% of baseline",
        met=mine >= 0.5 * theirs,
        samples={"ours": ours, "baseline": base},
    )
