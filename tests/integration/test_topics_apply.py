"""``mediawatch topics plan/apply`` on a running system: the pipeline topic grows from 6 to 12
partitions while a producer keeps sending and a consumer group keeps reading; every event
arrives."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import Message
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    declare_topics,
    each,
    producer_config,
)
from mediawatch_common.kafka.added_partitions import read_added_partitions
from mediawatch_common.kafka.topic_state import observe

from .helpers import running, wait_for

pytestmark = pytest.mark.integration

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))
FAST_METADATA = {"topic.metadata.refresh.interval.ms": 1000}
"""New partitions are seen within a second instead of librdkafka's default 5 minutes."""


@pytest.fixture
def prefix(admin: AdminClient) -> Iterator[str]:
    name = f"test.grow{uuid.uuid4().hex[:8]}"
    yield name
    names = [t.name for t in declare_topics(name).all()]
    for future in admin.delete_topics(names, operation_timeout=30).values():
        future.result()


def _topics(
    prefix: str, bootstrap: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                   "KAFKA_TOPIC_PREFIX": prefix, "LOG_CONSOLE": "false", **env}  # fmt: skip
    return subprocess.run([MEDIAWATCH, "topics", *args], env=environment,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


class Sender:
    """Keeps sending keyed events (one id each) until stopped; records what was acknowledged."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.acked: set[str] = set()
        self.partitions: set[int] = set()
        self._producer = EventProducer(
            producer_config(bootstrap, "test-grow", FAST_METADATA), on_acknowledged=self._ack
        )
        self._topic, self._stop = topic, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _ack(self, msg: Message) -> None:
        self.acked.add((msg.value() or b"").decode())
        self.partitions.add(msg.partition() or 0)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            self._producer.produce(self._topic, str(n).encode(), key=f"session-{n % 97}")
            n += 1
            if n % 100 == 0:
                self._producer.flush()
            time.sleep(0.002)
        self._producer.flush()

    def __enter__(self) -> Sender:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        assert not self._thread.is_alive()


def test_the_pipeline_topic_grows_from_6_to_12_partitions_without_losing_an_event(
    bootstrap: str, prefix: str
) -> None:
    created = _topics(prefix, bootstrap, "apply")
    assert created.returncode == 0, created.stderr
    assert f"{prefix}.pipeline: create with 6 partitions" in created.stdout
    topics = declare_topics(prefix)
    group = f"test-grow-{uuid.uuid4().hex[:8]}"
    read: list[str] = []
    read_partitions: set[int] = set()

    def handle(record: Record[str]) -> None:
        read.append(record.event)
        read_partitions.add(record.partition)

    loop = ConsumerLoop(
        consumer_config(bootstrap, group, extra=FAST_METADATA),
        [topics.pipeline.name],
        lambda data: data.decode(),
        each(handle),
        DeadLetters(
            EventProducer(producer_config(bootstrap, group)), topics.deadletter.name, group
        ),
        batch_size=100,
    )
    with running(loop):
        with Sender(bootstrap, topics.pipeline.name) as sender:
            assert wait_for(lambda: len(read) >= 300, timeout=60)
            planned = _topics(prefix, bootstrap, "plan", KAFKA_TOPIC_PARTITIONS="pipeline=12")
            assert f"{prefix}.pipeline: partitions 6 -> 12" in planned.stdout, planned.stderr
            grown = _topics(prefix, bootstrap, "apply", KAFKA_TOPIC_PARTITIONS="pipeline=12")
            assert grown.returncode == 0, grown.stderr
            assert "applied 1 change(s)" in grown.stdout
            # Keyed events move to the new partitions, and the group reads them there.
            sent_to, read_from = sender.partitions, read_partitions
            assert wait_for(lambda: max(sent_to.copy()) >= 6, timeout=60), sent_to
            assert wait_for(lambda: max(read_from.copy()) >= 6, timeout=60), read_from
        # Every acknowledged event is read, by a group that is still running.
        assert wait_for(lambda: set(read) >= sender.acked, timeout=60)
    assert set(read) == sender.acked  # nothing lost, nothing from elsewhere
    assert len(sender.acked) > 300
    again = _topics(prefix, bootstrap, "apply", KAFKA_TOPIC_PARTITIONS="pipeline=12")
    assert again.returncode == 0, again.stderr
    assert "every topic matches its declaration" in again.stdout
    shrink = _topics(prefix, bootstrap, "apply")
    assert shrink.returncode == 1
    assert "has 12 partitions but declares 6: Kafka cannot remove partitions" in shrink.stderr


def test_a_group_that_starts_at_latest_reads_partitions_added_while_it_was_away(
    bootstrap: str, prefix: str
) -> None:
    assert _topics(prefix, bootstrap, "apply").returncode == 0
    topic = declare_topics(prefix).pipeline.name
    group = f"test-added-{uuid.uuid4().hex[:8]}"
    read: list[str] = []

    def run_group_until(done: Callable[[], bool]) -> None:
        loop = ConsumerLoop(
            consumer_config(bootstrap, group, "latest"),
            [topic],
            lambda data: data.decode(),
            each(lambda record: read.append(record.event)),
            DeadLetters(
                EventProducer(producer_config(bootstrap, group)), f"{prefix}.deadletter", group
            ),
            on_assign=read_added_partitions,
        )
        with running(loop):
            assert wait_for(done, timeout=60)

    def send(values: range) -> None:
        producer = EventProducer(producer_config(bootstrap, "test-added"))
        for n in values:
            producer.produce(topic, str(n).encode(), key=f"session-{n}")
        producer.flush()

    def joined() -> bool:
        send(range(len(read), len(read) + 1))  # one at a time, until the group reads one
        return bool(read)

    run_group_until(joined)  # the group now has committed offsets on the 6 partitions
    grown = _topics(prefix, bootstrap, "apply", KAFKA_TOPIC_PARTITIONS="pipeline=12")
    assert grown.returncode == 0, grown.stderr
    before = len(read)
    send(range(1000, 1200))  # half of these keys hash to the 6 new partitions
    wanted = {str(n) for n in range(1000, 1200)}
    run_group_until(lambda: set(read[before:]) >= wanted)
    assert set(read[before:]) >= wanted


def test_apply_refuses_to_compact_a_topic_and_then_changes_nothing(
    bootstrap: str, prefix: str, tmp_path: Path
) -> None:
    created = _topics(prefix, bootstrap, "apply")
    assert created.returncode == 0, created.stderr
    declaration = tmp_path / "topics.toml"
    declaration.write_text(
        '[logs.config]\n"cleanup.policy" = "compact"\n[jobs.config]\n"retention.ms" = 3600000\n'
    )
    refused = _topics(prefix, bootstrap, "apply", KAFKA_TOPICS_FILE=str(declaration))
    assert refused.returncode == 1
    assert f"{prefix}.logs keeps every message (cleanup.policy=delete)" in refused.stderr
    assert "nothing applied" in refused.stderr
    topics = declare_topics(prefix)
    found = observe(
        AdminClient({"bootstrap.servers": bootstrap}), [topics.logs.name, topics.jobs.name]
    )
    assert found[topics.logs.name].configs["cleanup.policy"] == "delete"
    assert found[topics.jobs.name].configs["retention.ms"] == topics.jobs.config(1)["retention.ms"]
