"""Running the aggregator as a real process against the local broker, and reading its output."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka import Producer as KafkaProducer
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    WindowAggregated,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import Topics, declare_topics, ensure_topics

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
WINDOWS = "2,4/2"


@dataclass
class Deployment:
    """Unique topics, consumer group and state directory of one test's aggregator."""

    bootstrap: str
    prefix: str
    app_id: str
    state_dir: Path
    log_dir: Path
    topics: Topics
    overrides: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_TOPIC_PREFIX": self.prefix,
            "AGGREGATOR_APP_ID": self.app_id,
            "AGGREGATOR_STATE_DIR": str(self.state_dir),
            "AGGREGATOR_WINDOWS": WINDOWS,
            "AGGREGATOR_GRACE_SECONDS": "1",
            "AGGREGATOR_MAX_DELAY_SECONDS": "2",
            "AGGREGATOR_TICK_SECONDS": "0.3",
            "AGGREGATOR_UPDATE_INTERVAL_SECONDS": "1",
            "AGGREGATOR_PARTITIONS": "2",
            "LOG_DIR": str(self.log_dir),
            "LOG_CONSOLE": "false",
            **self.overrides,
        }


@contextmanager
def deployment(
    bootstrap: str, admin: AdminClient, tmp_path: Path, partitions: int = 2
) -> Iterator[Deployment]:
    """Creates the topics of a unique prefix; deletes them and the internal topics after."""
    tag = uuid.uuid4().hex[:8]
    topics = declare_topics(f"test.agg{tag}", partitions=partitions)
    ensure_topics(admin, topics.all(), 1, 1)
    dep = Deployment(
        bootstrap,
        f"test.agg{tag}",
        f"test-agg-{tag}",
        tmp_path / "state",
        tmp_path / "logs",
        topics,
    )
    try:
        yield dep
    finally:
        names = [t.name for t in topics.all()]
        names += [t for t in admin.list_topics(timeout=10).topics if t.startswith(dep.app_id)]
        for future in admin.delete_topics(names, operation_timeout=30).values():
            with suppress(Exception):
                future.result()


@contextmanager
def aggregator(dep: Deployment, kill: bool = False) -> Iterator[subprocess.Popen[bytes]]:
    """Runs ``mediawatch run aggregator``; stops it with SIGTERM (or SIGKILL) at the end."""
    out = (dep.log_dir.parent / f"worker-{time.monotonic_ns()}.out").open("wb")
    proc = subprocess.Popen(
        [str(MEDIAWATCH), "run", "aggregator"], env=dep.env(), stdout=out, stderr=out
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        out.close()


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> int:
    """How many messages of ``topic`` ``group`` has committed, over its first partitions."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        found = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], 10)
        return sum(max(tp.offset, 0) for tp in found)
    finally:
        consumer.close()


def wipe_state(dep: Deployment) -> None:
    """Deletes the local state directory, as a new machine would start."""
    shutil.rmtree(dep.state_dir, ignore_errors=True)


def completions(
    start: datetime, count: int, seconds: float, fail_every: int, stages: Sequence[Stage]
) -> list[StageCompleted]:
    """``count`` completions spread over ``seconds`` from ``start``, one in ``fail_every``
    failed, cycling through ``stages``, durations 1..9 s."""
    producer = Producer.current("aggregator-test")
    events = []
    for i in range(count):
        at = start + timedelta(seconds=seconds * i / count)
        ok = i % fail_every != 0
        events.append(
            StageCompleted(
                producer=producer,
                event_time=at,
                session_id=f"session-{i % 37}",
                user_id="user-1",
                stage=stages[i % len(stages)],
                started_at=at,
                success=ok,
                duration_seconds=float(1 + i % 9),
                error_code=None if ok else ErrorCode.FFMPEG_FAILED,
            )
        )
    return events


def produce(
    bootstrap: str,
    topic: str,
    events: Sequence[StageCompleted],
    extra: bytes = b"",
    partitions: Sequence[int] = (),
) -> None:
    """Writes the events (keyed by session, or to ``partitions[i]`` when given) and
    optionally one raw message."""
    producer = KafkaProducer({"bootstrap.servers": bootstrap})
    for i, event in enumerate(events):
        where: dict[str, Any] = {"partition": partitions[i]} if partitions else {}
        producer.produce(topic, value=encode_event(event), key=event.session_id, **where)
    if extra:
        producer.produce(topic, value=extra, key=b"broken")
    assert producer.flush(30) == 0


class WindowReader:
    """Reads the windows topic from the start, keeping every decoded result."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": f"r-{uuid.uuid4().hex}"}
        )
        parts = self._consumer.list_topics(topic, timeout=10).topics[topic].partitions
        self._consumer.assign([TopicPartition(topic, p, 0) for p in parts])
        self.results: list[WindowAggregated] = []

    def poll(self, seconds: float = 0.5) -> None:
        for msg in self._consumer.consume(1000, seconds):
            if msg.error() is None:
                event = decode_event(msg.value() or b"")
                assert isinstance(event, WindowAggregated)
                self.results.append(event)

    def closed(self) -> dict[tuple[str, int, datetime], WindowAggregated]:
        """The latest closed result per (stage, size, start)."""
        found = {}
        for e in self.results:
            if e.closed:
                found[(e.stage.value, e.window_seconds, e.window_start)] = e
        return found

    def wait_closed(self, keys: set[tuple[str, int, datetime]], timeout: float = 150) -> None:
        """Read results until every window of ``keys`` has closed; fail naming those missing."""
        deadline = time.monotonic() + timeout
        while not keys <= set(self.closed()) and time.monotonic() < deadline:
            self.poll()
        missing = keys - set(self.closed())
        assert not missing, (
            f"{len(missing)} window(s) not closed after {timeout}s: {sorted(missing)[:3]}"
        )

    def close(self) -> None:
        self._consumer.close()


def expected(events: Sequence[StageCompleted]) -> dict[tuple[str, int, datetime], tuple[int, int]]:
    """(attempts, failures) per (stage, size, start) for the test windows 2 s and 4 s/2 s."""
    found: dict[tuple[str, int, datetime], tuple[int, int]] = {}
    for e in events:
        epoch = e.event_time.timestamp()
        for size in (2, 4):
            first = int(epoch // 2 * 2) - size + 2
            for start in range(first, int(epoch) + 1, 2):
                if start <= epoch < start + size:
                    key = (e.stage.value, size, datetime.fromtimestamp(start, UTC))
                    n, f = found.get(key, (0, 0))
                    found[key] = (n + 1, f + (not e.success))
    return found


def expected_windows(
    events: Sequence[StageCompleted], specs: Sequence[tuple[int, int]]
) -> dict[tuple[str, int, datetime], tuple[int, int]]:
    """(attempts, failures) per (stage, size, start) for windows of (size, hop) seconds."""
    found: dict[tuple[str, int, datetime], tuple[int, int]] = {}
    for e in events:
        epoch = e.event_time.timestamp()
        for size, hop in specs:
            last = int(epoch // hop * hop)
            for start in range(last - size + hop, last + 1, hop):
                key = (e.stage.value, size, datetime.fromtimestamp(start, UTC))
                n, f = found.get(key, (0, 0))
                found[key] = (n + 1, f + (not e.success))
    return found
