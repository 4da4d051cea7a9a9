"""A small run of the real services, scraped by the stack's Prometheus: topics of its own, a
schema of its own, metrics ports of its own registered in the Prometheus targets directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from confluent_kafka import Producer as KafkaProducer
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import Topics, declare_topics, ensure_topics
from mediawatch_store import upgrade

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))
REPO = Path(__file__).resolve().parents[3]
STALE_SECONDS = 3600
"""A test's targets file older than this belongs to a run that is gone."""
SERVICES = ("projector", "aggregator", "alerter", "transcoder", "health")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SmallRun:
    """What one run owns: its topics, schema, environment and the metrics port of each service
    (whose series carry the label ``run`` = ``tag``)."""

    tag: str
    topics: Topics
    schema: str
    env: Mapping[str, str]
    ports: Mapping[str, int]

    def submit(self, *clips: Path, user: str) -> None:
        """One transcoding job of ``clips`` on this run's jobs topic."""
        subprocess.run(
            [MEDIAWATCH, "submit", *map(str, clips), "--user", user],
            env=dict(self.env),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def poison(self, bootstrap: str) -> None:
        """A message no consumer can decode, on the pipeline topic: it becomes a dead letter."""
        producer = KafkaProducer({"bootstrap.servers": bootstrap})
        producer.produce(self.topics.pipeline.name, value=b"not an event", key=b"poison")
        assert producer.flush(30) == 0


def _environment(tag: str, prefix: str, schema: str, url: str, bootstrap: str, tmp: Path) -> dict:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "DATABASE_URL": url,
        "DATABASE_SCHEMA": schema,
        "LOG_DIR": str(tmp / "logs"),
        "LOG_CONSOLE": "false",
        "PROJECTOR_GROUP_ID": f"test-graf-projector-{tag}",
        "ALERTER_GROUP_ID": f"test-graf-alerter-{tag}",
        "TRANSCODER_GROUP_ID": f"test-graf-transcoder-{tag}",
        "TRANSCODER_WORK_DIR": str(tmp / "work"),
        "TRANSCODER_STORAGE_DIR": str(tmp / "store"),
        "TRANSCODER_SAMPLE_INTERVAL_SECONDS": "1",
        "AGGREGATOR_APP_ID": f"test-graf-agg-{tag}",
        "AGGREGATOR_STATE_DIR": str(tmp / "aggregator"),
        "AGGREGATOR_WINDOWS": "5",
        "AGGREGATOR_GRACE_SECONDS": "1",
        "AGGREGATOR_MAX_DELAY_SECONDS": "1",
        "AGGREGATOR_TICK_SECONDS": "0.5",
        "AGGREGATOR_UPDATE_INTERVAL_SECONDS": "1",
        "AGGREGATOR_PARTITIONS": "1",
        "HEALTH_CHECK_INTERVAL_SECONDS": "5",
        "HEALTH_CHECK_TEMP_DIR": str(tmp / "work"),
    }


@contextmanager
def _process(name: str, env: Mapping[str, str], port: int, log_dir: Path) -> Iterator[None]:
    """``mediawatch run NAME`` serving its metrics on ``port``; SIGTERM (then SIGKILL) after."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.out").open("wb") as out:
        proc = subprocess.Popen(
            [MEDIAWATCH, "run", name],
            env={**env, "METRICS_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def targets_dir() -> Path:
    """The directory the stack's Prometheus reads more targets from."""
    out = subprocess.run(
        ["bash", str(REPO / "infra" / "stack" / "prometheus.sh"), "targets"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return Path(out.stdout.strip())


@contextmanager
def _registered(tag: str, ports: Mapping[str, int]) -> Iterator[None]:
    """The run's metrics ports in the Prometheus targets directory, under the services' jobs."""
    entries = [
        {"targets": [f"127.0.0.1:{port}"], "labels": {"job": f"mediawatch-{name}", "run": tag}}
        for name, port in ports.items()
    ]
    folder = targets_dir()
    for stale in folder.glob("test-*.json"):  # left by a run that was killed
        if time.time() - stale.stat().st_mtime > STALE_SECONDS:
            stale.unlink(missing_ok=True)
    path = folder / f"test-{tag}.json"
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(entries))
    staged.rename(path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def small_run(bootstrap: str, admin: AdminClient, url: str, tmp: Path) -> Iterator[SmallRun]:
    """The projector, aggregator, alerter, transcoder and health reporter running on topics
    and a schema of their own, scraped by the stack's Prometheus; everything is removed
    afterwards."""
    tag = uuid.uuid4().hex[:8]
    prefix = f"test.graf{tag}"
    topics = declare_topics(prefix, partitions=1)
    ensure_topics(admin, topics.all(), 1, 1)
    schema = f"test_graf_{tag}"
    upgrade(url, schema)
    env = _environment(tag, prefix, schema, url, bootstrap, tmp)
    ports = {name: free_port() for name in SERVICES}
    try:
        with ExitStack() as stack:
            for name in SERVICES:
                stack.enter_context(_process(name, env, ports[name], tmp / "out"))
            stack.enter_context(_registered(tag, ports))
            yield SmallRun(tag, topics, schema, env, ports)
    finally:
        names = [t.name for t in topics.all()]
        names += [
            t for t in admin.list_topics(timeout=10).topics if t.startswith(f"test-graf-agg-{tag}")
        ]
        for future in admin.delete_topics(names, operation_timeout=30).values():
            with suppress(Exception):
                future.result()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
