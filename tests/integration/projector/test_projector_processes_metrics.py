"""``mediawatch run projector --processes 2``: one scrape of ``METRICS_PORT`` shows each
process's own counts, labelled ``process``; a taken port stops the command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import encode_event
from mediawatch_common.kafka import Topics
from tests.integration.api.conftest import created_topics, env_for
from tests.integration.api.samples import session_events
from tests.integration.helpers import Samples, sample, scrape, wait_for

pytestmark = pytest.mark.integration

PROJECTED = "mediawatch_projector_events_projected_total"
COMMAND = [str(Path(sys.executable).with_name("mediawatch")), "run", "projector"]


@pytest.fixture
def two(admin: AdminClient) -> Iterator[Topics]:
    """Every topic under a unique prefix, in 2 partitions each; deleted afterwards."""
    yield from created_topics(admin, 2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _held(admin: AdminClient, group: str, topic: str) -> list[list[int]]:
    """The partitions of ``topic`` each member of ``group`` holds, sorted."""
    [described] = admin.describe_consumer_groups([group]).values()
    members = described.result(timeout=10).members
    held = [
        sorted(tp.partition for tp in m.assignment.topic_partitions if tp.topic == topic)
        for m in members
    ]
    return sorted(held)


def _produce(bootstrap: str, topic: str, sessions: dict[int, int]) -> dict[int, int]:
    """``sessions[p]`` whole sessions into partition ``p``; the events written to each."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    start, events = datetime.now(UTC) - timedelta(hours=1), dict.fromkeys(sessions, 0)
    for partition, count in sessions.items():
        for n in range(count):
            for event in session_events(f"p{partition}-s{n}", start + timedelta(seconds=n)):
                producer.produce(topic, encode_event(event), partition=partition)
                events[partition] += 1
    assert producer.flush(30) == 0
    return events


def _pipeline_partition(samples: Samples, process: str, topic: str) -> list[str]:
    """The pipeline partitions ``process`` reports consumer lag for."""
    return [
        dict(labels)["partition"]
        for (name, labels) in samples
        if name == "mediawatch_consumer_lag_messages"
        and dict(labels).get("process") == process
        and dict(labels).get("topic") == topic
    ]


def test_each_process_reports_its_own_projected_events(
    bootstrap: str, admin: AdminClient, database_url: str, schema: str, two: Topics,
    log_dir: Path,
) -> None:  # fmt: skip
    port = _free_port()
    env = env_for(database_url, schema, two, log_dir) | {"METRICS_PORT": str(port)}
    group, pipeline = env["PROJECTOR_GROUP_ID"], two.pipeline.name
    parent = subprocess.Popen([*COMMAND, "--no-migrate", "--processes", "2"], env=env)
    try:
        assert wait_for(lambda: _held(admin, group, pipeline) == [[0], [1]], timeout=60)
        events = _produce(bootstrap, pipeline, {0: 3, 1: 2})

        total, seen = sum(events.values()), [scrape(port)]

        def settled() -> bool:  # every event counted, and each process's lag refreshed
            seen[0] = samples = scrape(port)
            counts = [sample(samples, PROJECTED, process=p) or 0 for p in ("1", "2")]
            held = [_pipeline_partition(samples, p, pipeline) for p in ("1", "2")]
            return sum(counts) == total and sorted(held) == [["0"], ["1"]]

        assert wait_for(settled, timeout=30), seen[0]
        samples = seen[0]
        for process in ("1", "2"):  # each counts the events of the partition it holds
            [partition] = _pipeline_partition(samples, process, pipeline)
            assert sample(samples, PROJECTED, process=process) == events[int(partition)]
            assert sample(samples, "mediawatch_projector_process_up", process=process) == 1
            assert sample(samples, "mediawatch_projector_batch_write_seconds_count",
                          process=process)  # fmt: skip
        assert sample(samples, PROJECTED) is None  # no series without its process
    finally:
        parent.send_signal(15)
        parent.wait(timeout=30)


def test_a_taken_metrics_port_stops_the_command_naming_it(log_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = dict(os.environ, METRICS_PORT=str(port), LOG_DIR=str(log_dir), LOG_SHIP="false")
        done = subprocess.run(
            [*COMMAND, "--processes", "2"], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2
    assert f"METRICS_PORT={port}" in done.stderr
    assert "already in use" in done.stderr
