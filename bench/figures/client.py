"""What reporting through mediawatch-client costs a pipeline, beside a bare producer.

Call cost: the caller's time for one ``start_processing`` + ``complete_processing`` pair, at
p99, with pairs paced at 1,000/s as a busy pipeline would make them; once with the broker up
and once with it unreachable (events go to the spool). The baseline is the same pair built,
encoded with fastavro and handed to a bare idempotent confluent-kafka producer in the
caller's thread. Throughput: pairs reported as fast as possible until every event is
acknowledged, against that bare producer doing the same.

The caller's time right after waking from a sleep is longer than in a hot loop (its code and
data are no longer in the CPU's caches), so the call cost is also measured with the pairs paced
by spinning instead of sleeping: the gap between the two is what waking costs on the machine.
"""

from __future__ import annotations

import functools
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.cimpl import NewTopic

from bench.model import Context, Figure, median, percentile
from mediawatch_client import ClientConfig, MediaMonitor, ProcessingStage
from mediawatch_client.contract import event_schema

PACE = 1_000  # pairs per second


def _monitor(ctx: Context, prefix: str, spool: Path, bootstrap: str | None = None) -> MediaMonitor:
    security = {k: v for k, v in ctx.connection.items() if k != "bootstrap.servers"}
    return MediaMonitor(
        ClientConfig(bootstrap_servers=bootstrap or ctx.bootstrap, kafka=security,
                     topic_prefix=prefix, producer_name="bench", spool_dir=spool,
                     delivery_timeout=1.0, close_timeout=120.0)
    )  # fmt: skip


def _client_pair(monitor: MediaMonitor) -> Callable[[int], None]:
    def pair(n: int) -> None:
        session = f"session_{n:08d}"
        monitor.start_processing_sync(session, "user_1", ProcessingStage.COMPRESSION,
                                      {"video_count": 3})  # fmt: skip
        monitor.complete_processing_sync(session, ProcessingStage.COMPRESSION, True,
                                         file_size_bytes=28_311_552, video_count=3)  # fmt: skip

    return pair


def _bare_pair(producer: Producer, topic: str) -> Callable[[int], None]:
    started, completed = event_schema("StageStarted"), event_schema("StageCompleted")
    source = {"service": "bench", "host": "bench-host", "pid": 1}

    def pair(n: int) -> None:
        session, now = f"session_{n:08d}", datetime.now(UTC)
        common: dict[str, Any] = {"producer": source, "session_id": session,
            "user_id": "user_1", "stage": "COMPRESSION", "attempt": 1}  # fmt: skip
        producer.produce(topic, started.encode({**common, "event_id": uuid.uuid4(),
            "event_time": now, "video_count": 3, "total_size_bytes": None,
            "metadata": {"video_count": 3}}), session.encode())  # fmt: skip
        producer.produce(topic, completed.encode({**common, "event_id": uuid.uuid4(),
            "event_time": now, "started_at": now, "success": True, "duration_seconds": 0.001,
            "error_code": None, "error_message": None, "input_size_bytes": None,
            "output_size_bytes": 28_311_552, "video_count": 3, "peak_memory_mb": None,
            "cpu_percent": None, "metadata": {}}), session.encode())  # fmt: skip
        producer.poll(0)

    return pair


def _paced_costs(pair: Callable[[int], None], pairs: int, *, spin: bool = False) -> list[float]:
    """Microseconds of each call, one pair every 1/PACE s; between calls the caller sleeps,
    or with ``spin`` keeps its core busy until the next one is due."""
    costs = []
    next_at = time.perf_counter()
    for n in range(pairs):
        began = time.perf_counter()
        pair(n)
        costs.append((time.perf_counter() - began) * 1e6)
        next_at += 1 / PACE
        if spin:
            while time.perf_counter() < next_at:
                pass
            continue
        pause = next_at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    return costs


def _rate(pair: Callable[[int], None], pairs: int, settle: Callable[[], object]) -> float:
    began = time.perf_counter()
    for n in range(pairs):
        pair(n)
    settle()
    return 2 * pairs / (time.perf_counter() - began)


def _bare_producer(ctx: Context) -> Producer:
    return Producer({**ctx.connection, "enable.idempotence": True,
                     "acks": "all", "linger.ms": 5})  # fmt: skip


def client_reporting(ctx: Context) -> list[Figure]:
    pairs = 3_000 if ctx.quick else 20_000
    up, awake, down, bare_cost, ours_rate, bare_rate = [], [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-client-") as tmp:
        for n in range(ctx.repeats):
            prefix = f"bench.client.{uuid.uuid4().hex[:8]}"
            topic = f"{prefix}.pipeline"
            ctx.admin().create_topics([NewTopic(topic, 3, 1)])[topic].result()
            ctx.topics.append(topic)
            monitor = _monitor(ctx, prefix, Path(tmp) / f"up{n}")
            up.append(percentile(_paced_costs(_client_pair(monitor), pairs), 99))
            monitor.close()
            monitor = _monitor(ctx, prefix, Path(tmp) / f"awake{n}")
            awake.append(percentile(_paced_costs(_client_pair(monitor), pairs, spin=True), 99))
            monitor.close()
            offline = _monitor(ctx, prefix, Path(tmp) / f"down{n}", bootstrap="127.0.0.1:1")
            down.append(percentile(_paced_costs(_client_pair(offline), pairs), 99))
            offline.close(timeout=1)
            bare = _bare_producer(ctx)
            bare_cost.append(percentile(_paced_costs(_bare_pair(bare, topic), pairs), 99))
            bare.flush(30)
            monitor = _monitor(ctx, prefix, Path(tmp) / f"rate{n}")
            ours_rate.append(_rate(_client_pair(monitor), 5 * pairs, monitor.close))
            bare = _bare_producer(ctx)
            bare_rate.append(
                _rate(_bare_pair(bare, topic), 5 * pairs, functools.partial(bare.flush, 60))
            )
    base_cost = median(bare_cost)
    return [
        Figure(name="client pair cost p99, broker up", unit="µs", ours=median(up),
               baseline=base_cost, baseline_name="bare producer pair p99", target="< 50 µs",
               met=median(up) < 50, samples={"ours": up, "baseline": bare_cost},
               notes=f"{pairs} pairs paced at {PACE}/s per run"),
        Figure(name="client pair cost p99, broker up, caller never asleep", unit="µs",
               ours=median(awake), baseline=median(up),
               baseline_name="the same pairs paced by sleeping", target="reported", met=None,
               samples={"ours": awake, "baseline": up},
               notes="paced by spinning: the gap to the row above is the cost of waking"),
        Figure(name="client pair cost p99, broker down", unit="µs", ours=median(down),
               baseline=base_cost, baseline_name="bare producer pair p99 (broker up)",
               target="< 1,000 µs", met=median(down) < 1000,
               samples={"ours": down, "baseline": bare_cost}),
        Figure(name="client events/s until acknowledged", unit="events/s",
               ours=median(ours_rate), baseline=median(bare_rate),
               baseline_name="bare confluent-kafka + fastavro",
               target=">= 50% of baseline",
               met=median(ours_rate) >= 0.5 * median(bare_rate),
               samples={"ours": ours_rate, "baseline": bare_rate}),
    ]  # fmt: skip
