"""Consume + decode through the common consumer loop, against ConsumerPerformance."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bench.figures.produce import PROPS, sample_event
from bench.model import Context, Figure, kafka_tool, median
from mediawatch_common.events import Event, decode_event, encode_event
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)


def fill(ctx: Context) -> str:
    topic = ctx.new_topic("consume")
    producer = EventProducer(producer_config(ctx.connection, "bench-fill", PROPS))
    for n in range(ctx.events):
        producer.produce(topic, encode_event(sample_event(n)), key=f"session_{n:08d}")
    producer.flush()
    return topic


def ours_once(ctx: Context, topic: str, group: str) -> float:
    seen = 0

    def count(batch: Sequence[Record[Event]]) -> None:
        nonlocal seen
        seen += len(batch)

    dlq = ctx.new_topic("dlq", 1)
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(ctx.connection, group),
        [topic],
        decode_event,
        count,
        DeadLetters(EventProducer(producer_config(ctx.connection, group)), dlq, group),
        batch_size=1000,
    )
    start = time.perf_counter()
    loop.run(until=lambda: seen >= ctx.events)
    return seen / (time.perf_counter() - start)


def baseline_once(ctx: Context, topic: str, group: str) -> float:
    out = kafka_tool(
        "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server",
        ctx.bootstrap,
        "--consumer.config",
        str(ctx.tool_config()),
        "--topic",
        topic,
        "--messages",
        str(ctx.events),
        "--group",
        group,
    )
    # Columns: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec
    row = out.strip().splitlines()[-1].split(", ")
    return float(row[5])


def consume_decode(ctx: Context) -> Figure:
    topic = fill(ctx)
    ours, base = [], []
    for n in range(ctx.repeats):
        ours.append(ours_once(ctx, topic, f"bench-consume-{n}-{topic}"))
        if n < ctx.tool_runs:
            base.append(baseline_once(ctx, topic, f"bench-consume-base-{n}-{topic}"))
    mine, theirs = median(ours), median(base)
    return Figure(
        name="consume + decode events/s",
        unit="events/s",
        ours=mine,
        baseline=theirs,
        baseline_name="ConsumerPerformance",
        target=">= 50% of baseline",
        met=mine >= 0.5 * theirs,
        samples={"ours": ours, "baseline": base},
    )
