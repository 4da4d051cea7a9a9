"""Event → chat latency: a failed StageCompleted produced, until the alert's webhook message
arrives at a local receiver; against a produce → consume round trip of our own clients.

``mediawatch run alerter`` and ``mediawatch run notifier`` run as subprocesses on the topics of
a unique prefix, with their default consumer settings; the notifier has one generic webhook
sink (``NOTIFIER_URL``) pointing at an HTTP receiver on 127.0.0.1 inside the benchmark
process, group wait 0 and a rate limit far above the load. A first failure is a warm-up (both
services started and subscribed). Then N failures of distinct sessions are produced one at a
time, spaced out; each is timed from just before ``produce`` (flushed at once) to the arrival
of the webhook request that lists its session, on the same monotonic clock.

Baseline: the same number of events, same spacing, produced by ``EventProducer`` and consumed
by a ``ConsumerLoop`` (default batch size and poll timeout, as the alerter's) in a thread of
the benchmark process; timed from before ``produce`` to the handler receiving it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.model import Context, Figure, percentile
from bench.services import deployment_topics, service, tag, wait_until, workdir
from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)


class Receiver:
    """HTTP receiver on 127.0.0.1: the arrival time of the first message naming each session."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.requests = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                at = time.monotonic()
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver._record(at, raw)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hook"

    def _record(self, at: float, raw: bytes) -> None:
        body = json.loads(raw)
        with self._lock:
            self.requests += 1
            for alert in body.get("alerts", []):
                session = alert.get("labels", {}).get("session_id")
                if session and alert.get("status") == "firing":
                    self.arrived.setdefault(session, at)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def failure(session: str) -> bytes:
    now = datetime.now(UTC)
    return encode_event(
        StageCompleted(
            producer=Producer(service="bench", host="bench-host", pid=1),
            event_time=now,
            session_id=session,
            user_id="user_bench",
            stage=Stage.MERGING,
            started_at=now,
            success=False,
            duration_seconds=3.0,
            error_code=ErrorCode.FFMPEG_FAILED,
            error_message="FFmpeg process failed",
        )
    )


def sizes(ctx: Context) -> tuple[int, float]:
    """How many failures, and the pause between two."""
    return (30, 0.2) if ctx.quick else (200, 0.25)


def send_spaced(
    producer: EventProducer, topic: str, sessions: Sequence[str], gap: float
) -> dict[str, float]:
    """Produce one failure per session, ``gap`` apart; the monotonic time before each."""
    sent: dict[str, float] = {}
    for session in sessions:
        value = failure(session)
        sent[session] = time.monotonic()
        producer.produce(topic, value, key=session)
        producer.flush(10)
        time.sleep(gap)
    return sent


def latencies_ms(sent: dict[str, float], arrived: dict[str, float]) -> list[float]:
    return [1000 * (arrived[s] - at) for s, at in sent.items() if s in arrived]


def chat_latency(ctx: Context, n: int, gap: float) -> tuple[list[float], str, dict[str, float]]:
    label = tag()
    prefix = f"bench.lat{label}"
    topics = deployment_topics(ctx, prefix)
    receiver = Receiver()
    ctx.defer(receiver.close)
    common = {**ctx.service_env(), "KAFKA_TOPIC_PREFIX": prefix}
    alerter = service(
        ctx,
        "alerter",
        {**common, "ALERTER_GROUP_ID": f"bench-lat-alerter-{label}"},
        workdir(ctx, "alerter"),
    )
    notifier = service(
        ctx,
        "notifier",
        {
            **common,
            "NOTIFIER_GROUP_ID": f"bench-lat-notifier-{label}",
            "NOTIFIER_URL": receiver.url,
            "NOTIFIER_SINK_TYPE": "webhook",
            "NOTIFIER_MIN_LEVEL": "error",
            "NOTIFIER_GROUP_WAIT_SECONDS": "0",
            "NOTIFIER_RATE_LIMIT_PER_MINUTE": "100000",
        },
        workdir(ctx, "notifier"),
    )
    producer = EventProducer(producer_config(ctx.connection, "bench-latency"))
    topic = topics.pipeline.name
    launched = time.monotonic()
    warm = send_spaced(producer, topic, [f"{label}-warm"], 0)

    def arrived(sessions: Sequence[str]) -> bool:
        alerter.alive()
        notifier.alive()
        return all(s in receiver.arrived for s in sessions)

    wait_until(lambda: arrived(list(warm)), 180, "the warm-up alert at the receiver", 0.05)
    startup = time.monotonic() - launched
    sessions = [f"{label}-{i:04d}" for i in range(n)]
    sent = send_spaced(producer, topic, sessions, gap)
    wait_until(lambda: arrived(sessions), 120, f"{n} alerts at the receiver", 0.05)
    rss = {"alerter": alerter.peak_mib, "notifier": notifier.peak_mib}
    for name, mib in rss.items():
        ctx.memory[name] = [mib]
    about = (
        f"start-up to the warm-up alert {startup:.1f} s; {receiver.requests} webhook requests "
        f"for {n + 1} alerts"
    )
    return latencies_ms(sent, receiver.arrived), about, rss


def round_trip(ctx: Context, n: int, gap: float) -> list[float]:
    topic = ctx.new_topic("rtt", 1)
    group = f"bench-rtt-{tag()}"
    arrived: dict[str, float] = {}

    def handle(batch: Sequence[Record[Event]]) -> None:
        at = time.monotonic()
        for record in batch:
            arrived.setdefault(getattr(record.event, "session_id", ""), at)

    dlq = ctx.new_topic("rtt-dlq", 1)
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(ctx.connection, group),
        [topic],
        decode_event,
        handle,
        DeadLetters(EventProducer(producer_config(ctx.connection, group)), dlq, group),
    )
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    producer = EventProducer(producer_config(ctx.connection, "bench-rtt"))
    try:
        warm = send_spaced(producer, topic, ["warm"], 0)
        wait_until(lambda: "warm" in arrived, 60, "the round trip's warm-up event")
        sessions = [f"rtt-{i:04d}" for i in range(n)]
        sent = send_spaced(producer, topic, sessions, gap)
        wait_until(lambda: all(s in arrived for s in sessions), 60, "the round-trip events")
    finally:
        loop.stop()
        thread.join(timeout=30)
    del warm
    return latencies_ms(sent, arrived)


def event_to_chat(ctx: Context) -> list[Figure]:
    n, gap = sizes(ctx)
    ours, about, rss = chat_latency(ctx, n, gap)
    base = round_trip(ctx, n, gap)
    rows = []
    for q in (50, 99):
        mine, theirs = percentile(ours, q), percentile(base, q)
        rows.append(
            Figure(
                name=f"event -> chat latency p{q} (alerter + notifier -> webhook)",
                unit="ms",
                ours=mine,
                baseline=theirs,
                baseline_name=f"EventProducer -> ConsumerLoop round trip p{q}",
                target="p99 < 1 s" if q == 99 else "reported",
                met=mine < 1000 if q == 99 else None,
                samples={"ours_ms": ours, "baseline_ms": base} if q == 99 else {},
                notes=(
                    f"{n} failures of distinct sessions, {gap:g} s apart; {about}; "
                    f"peak RSS alerter {rss['alerter']:.0f} MiB, notifier {rss['notifier']:.0f} "
                    f"MiB; max {max(ours):.0f} ms (round trip max {max(base):.0f} ms)"
                )
                if q == 99
                else "",
            )
        )
    return rows
