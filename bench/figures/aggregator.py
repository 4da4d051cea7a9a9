"""The aggregator end to end: pipeline events in, until the last closed window result is on
the windows topic; against a bare aiokafka ``getmany()`` loop over the same events.

One ``mediawatch run aggregator`` process (default windows 60 s, 300/60 s, 3600/60 s; tick
0.2 s) runs for the whole figure. Each round is a fresh range of event time, ahead of the wall
clock (a stream read to its end holds the clock at the wall clock minus the arrival delay, so
history older than that would be late): ``n`` StageCompleted events (7 stages, 10 % failed,
keyed by session) are produced as pre-encoded bytes by a plain librdkafka producer, followed by
one *sentinel* per stage and partition an hour and more later in event time, so the
aggregator's event-time clock passes every window of the round at once. The round is timed
from the first produced byte to the moment the closed result of every window holding a round
event has been read back; every window's attempt count is checked against the events
produced. The first round is a warm-up (not counted).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from confluent_kafka import Consumer
from confluent_kafka import TopicPartition as KafkaPartition

from bench.model import Context, Figure, median
from bench.services import (
    Service,
    delete_topics_starting,
    deployment_topics,
    end_offsets,
    produce_raw,
    raw_producer,
    service,
    tag,
    wait_until,
    workdir,
)
from mediawatch_aggregator.runtime.kafka_auth import aiokafka_security
from mediawatch_common.events import (
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    WindowAggregated,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import Connection, client_properties
from mediawatch_common.settings import KafkaSettings

SPECS = ((60, 60), (300, 60), (3600, 60))
GRACE = 10  # the aggregator's default
EVENTS_PER_SECOND = 50  # of event time: a round of n events spans n / 50 seconds
CODES = (ErrorCode.FFMPEG_FAILED, ErrorCode.TIMEOUT_ERROR, ErrorCode.STORAGE_UPLOAD_FAILED)
STAGES = tuple(Stage)
WINDOW = tuple[str, int, datetime]


def round_events(
    label: str, start: datetime, n: int, partitions: int
) -> tuple[list[tuple[bytes | str, bytes, int | None]], dict[WINDOW, int]]:
    """Encoded messages of one round (events then sentinels) and the attempts expected per
    window holding a round event."""
    producer = Producer(service="bench", host="bench-host", pid=1)
    items: list[tuple[bytes | str, bytes, int | None]] = []
    panes: Counter[tuple[str, int]] = Counter()
    for i in range(n):
        at = start + timedelta(seconds=i / EVENTS_PER_SECOND)
        stage = STAGES[i % len(STAGES)]
        ok = i % 10 != 0
        session = f"{label}-s{i // len(STAGES)}"
        event = StageCompleted(
            producer=producer,
            event_time=at,
            session_id=session,
            user_id=f"user_{i % 1000:04d}",
            stage=stage,
            started_at=at,
            success=ok,
            duration_seconds=1.0 + (i * 7919 % 3000) / 10,
            error_code=None if ok else CODES[i % len(CODES)],
        )
        items.append((session, encode_event(event), None))
        panes[(stage.value, int(at.timestamp()) // 60 * 60)] += 1
    last = start + timedelta(seconds=n / EVENTS_PER_SECOND)
    sentinel_at = last + timedelta(seconds=3600 + GRACE + 300)
    for stage in STAGES:
        for p in range(partitions):
            event = StageCompleted(
                producer=producer,
                event_time=sentinel_at,
                session_id=f"{label}-sentinel",
                user_id="bench",
                stage=stage,
                started_at=sentinel_at,
                success=True,
                duration_seconds=1.0,
            )
            items.append((f"{label}-sentinel", encode_event(event), p))
    expected: dict[WINDOW, int] = {}
    for (stage_name, pane), count in panes.items():
        for size, hop in SPECS:
            first = pane - size + hop
            for begin in range(first, pane + 1, hop):
                key = (stage_name, size, datetime.fromtimestamp(begin, UTC))
                expected[key] = expected.get(key, 0) + count
    return items, expected


class WindowReader:
    """Reads the windows topic from the start; keeps the latest closed result per window."""

    def __init__(self, bootstrap: Connection, topic: str) -> None:
        self._consumer = Consumer({**client_properties(bootstrap), "group.id": f"bench-{tag()}"})
        parts = self._consumer.list_topics(topic, timeout=10).topics[topic].partitions
        self._consumer.assign([KafkaPartition(topic, p, 0) for p in parts])
        self.closed: dict[WINDOW, WindowAggregated] = {}
        self.open: dict[WINDOW, WindowAggregated] = {}

    def poll(self) -> None:
        for msg in self._consumer.consume(1000, 0.02):
            if msg.error() is None:
                event = decode_event(msg.value() or b"")
                if isinstance(event, WindowAggregated):
                    key = (event.stage.value, event.window_seconds, event.window_start)
                    (self.closed if event.closed else self.open)[key] = event

    def close(self) -> None:
        self._consumer.close()


async def _drain(
    kafka: KafkaSettings, topic: str, start: dict[int, int], end: dict[int, int]
) -> float:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        **aiokafka_security(kafka),
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in end if end[p] > start.get(p, 0)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, start.get(tp.partition, 0))
        want = sum(end[tp.partition] - start.get(tp.partition, 0) for tp in tps)
        seen = 0
        began = time.perf_counter()
        while seen < want:
            data = await consumer.getmany(timeout_ms=200, max_records=5000)
            for tp, records in data.items():
                seen += sum(1 for r in records if r.offset < end[tp.partition])
        return want / (time.perf_counter() - began)
    finally:
        await consumer.stop()


def warnings(work: Path) -> str:
    """The aggregator's warnings and errors (late events, Faust's own) from its log, and its
    last closing passes, for an error message."""
    lines = [
        line
        for log in sorted((work / "logs").glob("*/application.log"))
        for line in log.read_text(errors="replace").splitlines()
    ]
    kept = [line for line in lines if '"WARNING"' in line or '"ERROR"' in line]
    kept += [line for line in lines if "closing pass" in line][-3:]
    return " | ".join(line[:300] for line in kept[-12:])[:4000]


def all_closed(reader: WindowReader, svc: Service, want: set[WINDOW]) -> bool:
    """Whether every window of ``want`` has a closed result (reads what arrived first)."""
    svc.alive()
    reader.poll()
    return want <= reader.closed.keys()


def baseline_once(ctx: Context, topic: str, start: dict[int, int], end: dict[int, int]) -> float:
    return asyncio.run(_drain(ctx.kafka, topic, start, end))


def aggregator_throughput(ctx: Context) -> Figure:
    n = 20_000 if ctx.quick else 200_000
    label = tag()
    prefix, app_id = f"bench.agg{label}", f"bench-agg-{label}"
    topics = deployment_topics(ctx, prefix)
    delete_topics_starting(ctx, app_id)
    partitions = topics.pipeline.partitions
    work = workdir(ctx, "aggregator")
    env = {
        **ctx.service_env(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "AGGREGATOR_APP_ID": app_id,
        "AGGREGATOR_STATE_DIR": str(work / "state"),
        "AGGREGATOR_TICK_SECONDS": "0.2",
        "LOG_LEVEL": "INFO",  # the aggregator's "closing pass" timings, with BENCH_KEEP=1
    }
    launched = time.monotonic()
    svc = service(ctx, "aggregator", env, work)
    # Encode every round while Faust starts (encoding is not what is measured).
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    spacing = timedelta(seconds=n / EVENTS_PER_SECOND + 12_000)
    rounds = [
        round_events(f"r{r}-{label}", base + r * spacing, n if r else n // 10, partitions)
        for r in range(ctx.repeats + 1)
    ]
    reader = WindowReader(ctx.connection, topics.windows.name)
    producer = raw_producer(ctx.connection)
    ours: list[float] = []
    produce_rates: list[float] = []
    ranges: list[tuple[dict[int, int], dict[int, int]]] = []
    rss: list[float] = []
    startup = 0.0
    problems: list[str] = []
    try:
        for r, (items, expected) in enumerate(rounds):
            before = end_offsets(ctx, topics.pipeline.name)
            began = time.monotonic()
            produce_raw(producer, topics.pipeline.name, items)
            produced = time.monotonic()

            done = partial(all_closed, reader, svc, set(expected))
            try:
                wait = 180 if r == 0 else 90  # the warm-up round includes the start-up
                finished = wait_until(done, wait, f"the closed windows of round {r}", 0)
            except TimeoutError as exc:
                raise TimeoutError(f"{exc}; aggregator log: {warnings(work)}") from None
            reader.poll()
            wrong = [k for k, count in expected.items() if reader.closed[k].attempts != count]
            if wrong:
                problems.append(
                    f"round {r}: {len(wrong)} of {len(expected)} windows with other counts than "
                    f"produced (e.g. {sorted(wrong)[:1]})"
                )
            if r == 0:
                startup = finished - launched
                continue
            ours.append(n / (finished - began))
            produce_rates.append(len(items) / (produced - began))
            ranges.append((before, end_offsets(ctx, topics.pipeline.name)))
            rss.append(svc.peak_mib)
    finally:
        reader.close()
        producer.flush(10)
    ctx.memory["aggregator"] = rss
    base_rates = [baseline_once(ctx, topics.pipeline.name, lo, hi) for lo, hi in ranges]
    mine, theirs = median(ours), median(base_rates)
    windows = len(rounds[-1][1])
    return Figure(
        name="aggregator events/s, end to end to the last closed window",
        unit="events/s",
        ours=mine,
        baseline=theirs,
        baseline_name="aiokafka getmany() loop, same events",
        target=">= 30% of baseline and >= 20,000 events/s",
        met=not problems and mine >= 0.3 * theirs and mine >= 20_000,
        samples={"ours": ours, "baseline": base_rates, "load_produce_rate": produce_rates},
        notes=(
            f"{n:,} StageCompleted per round, {windows} windows per round; "
            f"one worker, {partitions} partitions; the round is produced by a raw "
            f"librdkafka producer in the benchmark process at a median "
            f"{median(produce_rates):,.0f} msg/s while the aggregator reads; start-up to the "
            f"warm-up round's windows {startup:.1f} s; peak RSS {max(rss):.0f} MiB. "
            + ("; ".join(problems) if problems else "Every window closed with exact counts.")
        ),
    )
