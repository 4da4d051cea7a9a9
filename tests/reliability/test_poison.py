"""Poison messages on every topic each consumer reads: dead-lettered with the reason, and every
consumer keeps processing the good event sent after the poison.

The consumers run as processes (``mediawatch run ...``) on topics of the test's own: projector
(every topic but the dead letters), alerter (jobs, pipeline, windows, resources, alerts), notifier
(alerts), aggregator (pipeline), transcoder (jobs), cost-report example (pipeline). Each topic
gets three poison messages — random bytes, the ``C3 01`` marker with an unknown fingerprint,
a valid event cut in half — then a good event. Every (consumer group, topic) pair must
dead-letter each poison message once, unchanged, with ``mw-reason`` and ``mw-origin-*``
headers; every group must commit past the good event, and each consumer must show the good
event's effect (rows, an alert, a delivery, a window, a transcoded session, a report).
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    AlertLevel,
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    WindowAggregated,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config, watermarks
from mediawatch_store import upgrade
from mediawatch_transcoder.submit import transcode_request
from tests.integration.api.samples import alert, log, sample, window

from ..integration.helpers import wait_for
from .topics import prefix_of, unique_topics

pytestmark = pytest.mark.reliability

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
WHO = Producer(service="rel-poison", host="h", pid=1)
ROUTES = """
sinks:
  hook: {type: webhook, url_env: POISON_HOOK_URL, secret_env: POISON_HOOK_KEY}
routes:
  - sinks: [hook]
    group_wait_seconds: 0
"""


class Hook:
    """A webhook receiver recording the alert ids it was sent."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.ids.update(a["id"] for a in body.get("alerts", []))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture
def hook() -> Iterator[Hook]:
    import threading

    receiver = Hook()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _poison(valid: bytes) -> list[bytes]:
    random = b"\x00" + os.urandom(63)  # never starts with the marker
    unknown = b"\xc3\x01" + os.urandom(8) + b"\x02\x04abcd"
    return [random, unknown, valid[: len(valid) // 2]]


def _clip(path: Path) -> Path:
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
            "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-y", str(path)]  # fmt: skip
    subprocess.run(args, check=True, timeout=60)
    return path


def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (position,) = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return int(position.offset)
    finally:
        consumer.close()


def _end(bootstrap: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "rel-poison-ends"})
    try:
        return int(watermarks(consumer, topic, 0, timeout=10)[1])
    finally:
        consumer.close()


def _stable(admin: AdminClient, group: str) -> bool:
    try:
        (future,) = admin.describe_consumer_groups([group], request_timeout=10).values()
        found = future.result()
    except Exception:
        return False
    return any(m.assignment.topic_partitions for m in found.members)


def _read(bootstrap: str, topic: str) -> list[Any]:
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"r-{uuid.uuid4().hex}",
                       "enable.auto.commit": False})  # fmt: skip
    try:
        reader.assign([TopicPartition(topic, 0, 0)])
        found = []
        while batch := reader.consume(1000, 1.5):
            found += [m for m in batch if m.error() is None]
        return found
    finally:
        reader.close()


def test_poison_on_every_topic_is_deadlettered_with_its_reason_and_every_consumer_goes_on(
    bootstrap: str, admin: AdminClient, database_url: str, hook: Hook, tmp_path: Path
) -> None:
    with unique_topics(admin, "rel.poison") as topics:
        _run(bootstrap, admin, database_url, hook, tmp_path, topics)


def _run(bootstrap: str, admin: AdminClient, database_url: str, hook: Hook, tmp_path: Path,
         topics: Topics) -> None:  # fmt: skip
    prefix = prefix_of(topics)
    tag = uuid.uuid4().hex[:8]
    schema = f"rel_poison_{tag}"
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES)
    report = tmp_path / "cost-report.json"
    groups = {
        "projector": f"rel-poison-projector-{tag}",
        "alerter": f"rel-poison-alerter-{tag}",
        "notifier": f"rel-poison-notifier-{tag}",
        "aggregator": f"rel-poison-agg-{tag}-ingest",
        "transcoder": f"rel-poison-tx-{tag}",
        "cost-report": f"{prefix}.cost-report",
    }
    reads = {
        "projector": ["jobs", "pipeline", "resources", "windows", "alerts", "logs"],
        "alerter": ["jobs", "pipeline", "windows", "resources", "alerts"],
        "notifier": ["alerts"],
        "aggregator": ["pipeline"],
        "transcoder": ["jobs"],
        "cost-report": ["pipeline"],
    }
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "LOG_DIR": str(tmp_path / "logs"),
        "LOG_CONSOLE": "false",
        "DATABASE_URL": database_url,
        "DATABASE_SCHEMA": schema,
        "PROJECTOR_GROUP_ID": groups["projector"],
        "ALERTER_GROUP_ID": groups["alerter"],
        "ALERTER_TICK_SECONDS": "0.5",
        "NOTIFIER_GROUP_ID": groups["notifier"],
        "NOTIFIER_ROUTES_FILE": str(routes),
        "POISON_HOOK_URL": hook.url,
        "POISON_HOOK_KEY": "poison-test-key",
        "AGGREGATOR_APP_ID": f"rel-poison-agg-{tag}",
        "AGGREGATOR_STATE_DIR": str(tmp_path / "agg-state"),
        "AGGREGATOR_WINDOWS": "2",
        "AGGREGATOR_GRACE_SECONDS": "1",
        "AGGREGATOR_MAX_DELAY_SECONDS": "2",
        "AGGREGATOR_TICK_SECONDS": "0.3",
        "AGGREGATOR_PARTITIONS": "1",
        "TRANSCODER_GROUP_ID": groups["transcoder"],
        "TRANSCODER_WORK_DIR": str(tmp_path / "work"),
        "TRANSCODER_STORAGE_DIR": str(tmp_path / "store"),
        "TRANSCODER_TARGET_LONG_SIDE": "160",
        "TRANSCODER_PREP_PRESET": "ultrafast",
        "TRANSCODER_PRESET": "ultrafast",
    }
    commands = {name: [name] for name in groups}
    commands["cost-report"] = ["cost-report", "--output", str(report)]
    upgrade(database_url, schema)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, args in commands.items():
            with (tmp_path / f"{name}.out").open("wb") as out:
                procs[name] = subprocess.Popen([str(MEDIAWATCH), "run", *args], env=env,
                                               stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        for name, group in groups.items():
            assert wait_for(functools.partial(_stable, admin, group), timeout=90), (
                f"{name} never joined its group:\n"
                + (tmp_path / f"{name}.out").read_text(errors="replace")[-2000:]
            )
        _poison_and_good(bootstrap, topics, tmp_path)
        ends = {role: _end(bootstrap, getattr(topics, role).name) for role in
                ("jobs", "pipeline", "resources", "windows", "alerts", "logs")}  # fmt: skip

        def past_good(name: str) -> bool:
            return all(_committed(bootstrap, groups[name], getattr(topics, role).name) >= 4
                       for role in reads[name])  # fmt: skip

        progressed = {n: wait_for(functools.partial(past_good, n), timeout=120) for n in groups}
        effects = _effects(bootstrap, topics, database_url, schema, hook, report)
        alive = {n: p.poll() is None for n, p in procs.items()}
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    dead = _read(bootstrap, topics.deadletter.name)
    by_pair: Counter[tuple[str, str]] = Counter()
    bad_headers = 0
    for msg in dead:
        headers = dict(msg.headers() or [])
        ok = all(k in headers for k in ("mw-reason", "mw-origin-topic", "mw-origin-partition",
                                        "mw-origin-offset", "mw-consumer-group"))  # fmt: skip
        bad_headers += not ok or not headers.get("mw-reason")
        if ok:
            by_pair[(headers["mw-consumer-group"].decode(),
                     headers["mw-origin-topic"].decode())] += 1  # fmt: skip
    want = {(groups[n], getattr(topics, r).name): 3 for n in groups for r in reads[n]}
    missing = {k: v - by_pair.get(k, 0) for k, v in want.items() if by_pair.get(k, 0) < v}
    extra = {k: n for k, n in by_pair.items() if n > want.get(k, 0)}
    print(
        f"poison on every topic: pairs={len(want)} poison_produced={3 * 6} "
        f"deadlettered={len(dead)} expected={sum(want.values())} missing={missing} "
        f"duplicated={sum(n - want.get(k, 0) for k, n in extra.items())} "
        f"bad_headers={bad_headers} ends={ends} progressed={progressed} effects={effects} "
        f"alive={alive}"
    )
    assert not missing, f"poison not dead-lettered: {missing}"
    assert not extra, f"dead-lettered more than once: {extra}"
    assert bad_headers == 0
    assert all(progressed.values()), progressed
    assert all(effects.values()), effects
    assert all(alive.values()), alive


def _poison_and_good(bootstrap: str, topics: Topics, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    clip = _clip(tmp_path / "tiny.mp4")
    job = transcode_request([clip], "user_poison", WHO, f"poison-{uuid.uuid4().hex[:6]}")
    failed = StageCompleted(
        producer=WHO, event_time=now, session_id="poison-session", user_id="user_poison",
        stage=Stage.MERGING, started_at=now, success=False, duration_seconds=2.0,
        error_code=ErrorCode.FFMPEG_FAILED, error_message="FFmpeg process failed",
    )  # fmt: skip
    good: dict[str, Event] = {
        "jobs": job,
        "pipeline": failed,
        "resources": sample(now),
        "windows": window(now.replace(microsecond=0), Stage.UPLOAD, 10, 0, 2.0),
        "alerts": alert(now, f"alert_poison_{uuid.uuid4().hex[:6]}", AlertLevel.ERROR),
        "logs": log(now, "INFO", "after the poison"),
    }
    producer = EventProducer(producer_config(bootstrap, "rel-poison"))
    for role, event in good.items():
        topic = getattr(topics, role).name
        valid = encode_event(event)
        for n, value in enumerate(_poison(valid)):
            producer.send(topic, value, key=f"poison-{n}")
        producer.send(topic, valid, key=getattr(event, "session_id", None) or role)


def _effects(bootstrap: str, topics: Topics, url: str, schema: str, hook: Hook,
             report: Path) -> dict[str, bool]:  # fmt: skip
    """What each consumer did with the good events, waited for up to a minute each."""

    def pipeline() -> list[Event]:
        return [decode_event(m.value()) for m in _read(bootstrap, topics.pipeline.name)
                if m.value()[:2] == b"\xc3\x01" and _decodes(m.value())]  # fmt: skip

    def windows() -> list[Event]:
        return [decode_event(m.value()) for m in _read(bootstrap, topics.windows.name)
                if _decodes(m.value())]  # fmt: skip

    def alerts() -> list[Event]:
        return [decode_event(m.value()) for m in _read(bootstrap, topics.alerts.name)
                if _decodes(m.value())]  # fmt: skip

    def rows() -> bool:
        with psycopg.connect(url, options=f"-csearch_path={schema}") as conn:
            counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()
                      for t in ("pipeline_events", "resource_samples", "log_records")]  # fmt: skip
        return all(c and c[0] > 0 for c in counts)

    return {
        "projector": wait_for(rows, timeout=60),
        "alerter": wait_for(
            lambda: any(
                getattr(e, "session_id", "") == "poison-session"
                and type(e).__name__ == "AlertRaised"
                for e in alerts()
            ),
            timeout=60,
        ),
        "notifier": wait_for(lambda: len(hook.ids) > 0, timeout=60),
        "aggregator": wait_for(
            lambda: any(
                isinstance(e, WindowAggregated) and e.producer.service == "metrics-aggregator"
                for e in windows()
            ),
            timeout=60,
        ),
        "transcoder": wait_for(
            lambda: any(
                isinstance(e, StageCompleted) and e.stage is Stage.CLEANUP for e in pipeline()
            ),
            timeout=90,
        ),
        "cost-report": wait_for(
            lambda: report.exists() and "user_poison" in report.read_text(), timeout=60
        ),
    }


def _decodes(data: bytes) -> bool:
    try:
        decode_event(data)
    except Exception:
        return False
    return True
