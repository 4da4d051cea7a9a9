"""Service processes under measurement: start, sample their memory, stop; fast raw produce."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import psutil
from confluent_kafka import Producer as KafkaProducer

from bench.model import REPO, Context
from mediawatch_common.kafka import (
    Connection,
    Topics,
    client_properties,
    declare_topics,
    ensure_topics,
)

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"


def tag() -> str:
    return uuid.uuid4().hex[:8]


class Service:
    """One ``mediawatch run NAME`` process (or any argv), its log, its peak RSS and its CPU time.

    CPU time (user + system of the process and its children, sampled with the RSS) is steadier
    than wall time on our shared machines: another engineer's run slows a service down but
    barely changes how much CPU it needs per event."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], workdir: Path) -> None:
        self.name = name
        self._log_path = workdir / f"{name}.out"
        self._log = self._log_path.open("wb")
        self.proc = subprocess.Popen(
            argv, env=dict(env), stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO
        )
        self.peak_rss = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _rss(self) -> int:
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs)
            cpu = sum(sum(p.cpu_times()[:2]) for p in procs)
        except psutil.Error:
            return 0
        self.cpu_seconds = max(self.cpu_seconds, cpu)
        return rss

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_rss = max(self.peak_rss, self._rss())

    def cpu_now(self) -> float:
        """CPU seconds used so far (the latest sample if the process is gone)."""
        self._rss()
        return self.cpu_seconds

    @property
    def peak_mib(self) -> float:
        return max(self.peak_rss, self._rss()) / 2**20

    def alive(self) -> None:
        """Raise with the tail of its output when the process has exited."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): {self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self._log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def service(ctx: Context, name: str, env: Mapping[str, str], workdir: Path) -> Service:
    """``mediawatch run NAME`` with ``env`` over the current environment; stopped at cleanup.

    Its metrics server is off unless ``env`` asks for one: the services ``make demo`` left
    running hold the default ports."""
    logs = {"LOG_DIR": str(workdir / "logs"), "LOG_CONSOLE": "false"}
    full = {**os.environ, **logs, "METRICS_PORT": "0", **env}
    started = Service(name, [str(MEDIAWATCH), "run", name], full, workdir)
    ctx.defer(started.stop)
    return started


def workdir(ctx: Context, label: str) -> Path:
    """A temp directory, removed at the end of the run unless ``BENCH_KEEP=1`` (to read the
    services' logs afterwards; the path is printed)."""
    if os.environ.get("BENCH_KEEP") == "1":
        kept = Path(tempfile.mkdtemp(prefix=f"mw-bench-{label}-"))
        print(f"{label}: work directory kept in {kept}", file=sys.stderr)
        return kept
    made = tempfile.TemporaryDirectory(prefix=f"mw-bench-{label}-")
    ctx.defer(made.cleanup)
    return Path(made.name)


def deployment_topics(ctx: Context, prefix: str, partitions: int | None = None) -> Topics:
    """Every topic of ``prefix`` created now; those and any topic starting with one of
    ``prefix`` (internal topics of the services) deleted at the end of the run."""
    topics = declare_topics(prefix, partitions=partitions)
    ensure_topics(ctx.admin(), topics.all(), 1, 1)
    delete_topics_starting(ctx, prefix)
    return topics


def delete_topics_starting(ctx: Context, prefix: str) -> None:
    """At the end of the run, delete every topic whose name starts with ``prefix``."""

    def delete() -> None:
        admin = ctx.admin()
        names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        if names:
            for future in admin.delete_topics(names, operation_timeout=30).values():
                try:
                    future.result()
                except Exception as exc:
                    print(f"topic not deleted: {exc}", file=sys.stderr)

    ctx.defer(delete)


def raw_producer(bootstrap: Connection) -> KafkaProducer:
    """A plain idempotent librdkafka producer for pre-encoded events (the load, not measured)."""
    return KafkaProducer(
        {
            **client_properties(bootstrap),
            "enable.idempotence": True,
            "linger.ms": 20,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 1_000_000,
        }
    )


def produce_raw(
    producer: KafkaProducer, topic: str, items: Iterable[tuple[bytes | str, bytes, int | None]]
) -> None:
    """Produce ``(key, value, partition or None)`` as fast as the client takes them; flush."""
    for key, value, partition in items:
        while True:
            try:
                if partition is None:
                    producer.produce(topic, value, key)
                else:
                    producer.produce(topic, value, key, partition)
                break
            except BufferError:
                producer.poll(0.01)
    if producer.flush(60) != 0:
        raise RuntimeError("load not fully acknowledged by the broker")


def wait_until(check: Callable[[], bool], timeout: float, what: str, every: float = 0.02) -> float:
    """Poll ``check`` until true; return the monotonic time it became true, or raise."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def end_offsets(ctx: Context, topic: str) -> dict[int, int]:
    """High watermark of each partition of ``topic``."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({**ctx.connection, "group.id": f"bench-wm-{tag()}"})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in parts
        }
    finally:
        consumer.close()
