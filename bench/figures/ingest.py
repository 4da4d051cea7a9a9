"""HTTP ingest: batches of 500 events posted to ``POST /api/v1/events``, beside producing the
same events straight to Kafka.

A fresh schema and topics; a ``producer`` account logs in; ``mediawatch run api`` serves on a
free loopback port. One client posts batches one after another (each answered once Kafka
acknowledged every event): events/s over the whole run, and each batch's latency. Baseline:
the same events built, encoded and produced by an idempotent producer in this process, flushed
once per batch of 500 — what appending them costs without HTTP and the checks.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.figures.api import free_port
from bench.model import REPO, Context, Figure, median, percentile
from bench.pg import database_url, fresh_schema
from bench.services import MEDIAWATCH, delete_topics_starting, service, tag, wait_until, workdir
from mediawatch_common.events import Producer, Stage, StageCompleted, encode_event
from mediawatch_common.kafka import EventProducer, declare_topics, ensure_topics, producer_config

BATCH = 500
URL = "/api/v1/events"


def _events(n: int) -> list[dict[str, Any]]:
    started = datetime.now(UTC).isoformat()
    return [
        {"type": "StageCompleted", "event_id": str(uuid.uuid4()), "session_id": f"s{n}_{i // 7}",
         "user_id": f"user_{i % 100}", "stage": list(Stage)[i % 7].name, "started_at": started,
         "success": i % 10 != 0, "duration_seconds": 12.5, "video_count": 3,
         "output_size_bytes": 28_311_552}
        for i in range(BATCH)
    ]  # fmt: skip


def _direct(ctx: Context, topic: str, batches: int) -> float:
    producer = EventProducer(producer_config(ctx.connection, "bench-ingest-direct"))
    source = Producer(service="bench", host="bench-host", pid=1)
    began = time.perf_counter()
    for n in range(batches):
        for item in _events(n):
            event = StageCompleted(
                producer=source, session_id=item["session_id"], user_id=item["user_id"],
                stage=Stage[item["stage"]], started_at=datetime.fromisoformat(item["started_at"]),
                success=item["success"], duration_seconds=item["duration_seconds"],
                video_count=3, output_size_bytes=item["output_size_bytes"],
            )  # fmt: skip
            producer.produce(topic, encode_event(event), key=event.session_id)
        producer.flush()
    return batches * BATCH / (time.perf_counter() - began)


def http_ingest(ctx: Context) -> list[Figure]:
    batches = 20 if ctx.quick else 100
    url, label = database_url(), tag()
    schema = fresh_schema(ctx, url, f"bench_ingest_{label}")
    prefix = f"bench.ingest{label}"
    delete_topics_starting(ctx, prefix)
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(ctx.admin(), topics.all(), 1, 1)
    env = {"DATABASE_URL": url, "DATABASE_SCHEMA": schema,
           **ctx.service_env(), "KAFKA_TOPIC_PREFIX": prefix}  # fmt: skip
    password = secrets.token_urlsafe(24)
    subprocess.run(
        [str(MEDIAWATCH), "users", "add", "pipeline", "--role", "producer", "--password-stdin"],
        input=password + "\n", env={**os.environ, **env}, capture_output=True, text=True,
        check=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    port, work = free_port(), workdir(ctx, "ingest")
    svc = service(ctx, "api", {**env, "API_HOST": "127.0.0.1", "API_PORT": str(port),
                               "API_JWT_SECRET": secrets.token_urlsafe(48),
                               "API_RATE_LIMIT_PER_MINUTE": "10000000", "LOG_SHIP": "false"},
                  work)  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        svc.alive()
        try:
            return httpx.get(base + "/api/v1/monitoring/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 120, "the API to answer", 0.2)
    rates, latencies, direct = [], [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/api/v1/auth/login",
                            json={"username": "pipeline", "password": password})  # fmt: skip
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        for _ in range(ctx.repeats):
            bodies = [{"events": _events(n)} for n in range(batches)]
            began = time.perf_counter()
            for body in bodies:
                sent = time.perf_counter()
                answer = client.post(URL, json=body)
                latencies.append((time.perf_counter() - sent) * 1000)
                if answer.status_code != 202 or len(answer.json()["accepted"]) != BATCH:
                    raise RuntimeError(f"ingest answered {answer.status_code}: {answer.text[:300]}")
            rates.append(batches * BATCH / (time.perf_counter() - began))
            direct.append(_direct(ctx, topics.pipeline.name, batches))
    mib = svc.peak_mib
    svc.stop()
    ours, base_rate, p99 = median(rates), median(direct), percentile(latencies, 99)
    p50 = percentile(latencies, 50)
    about = (
        f"{batches} batches of {BATCH} StageCompleted per round, {ctx.repeats} rounds, "
        f"one client; p50 {p50:.0f} ms; API RSS {mib:.0f} MiB"
    )
    return [
        Figure(name="HTTP ingest events/s (batches of 500)", unit="events/s", ours=ours,
               baseline=base_rate, baseline_name="same events produced directly",
               target=">= 5,000 events/s", met=ours >= 5000,
               samples={"ours": rates, "baseline": direct}, notes=about),
        Figure(name="HTTP ingest p99 per batch of 500", unit="ms", ours=p99, baseline=None,
               baseline_name="—", target="< 200 ms", met=p99 < 200,
               samples={"batch_ms": latencies}),
    ]  # fmt: skip
