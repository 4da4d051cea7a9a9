"""``mediawatch run projector --processes 2``: two members of one group share the partitions,
every event is written once, a failed member is started again (its metrics served again through
the command's port), and no member outlives its parent."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import psutil
import psycopg
import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import encode_event
from mediawatch_common.kafka import (
    EventProducer,
    Topics,
    producer_config,
)
from tests.integration.api.conftest import created_topics, env_for
from tests.integration.api.samples import session_events
from tests.integration.helpers import sample, scrape, wait_for

pytestmark = pytest.mark.integration

PARTITIONS = 4
SESSIONS = 80  # 14 pipeline events each


@pytest.fixture
def spread(admin: AdminClient) -> Iterator[Topics]:
    """Every topic under a unique prefix, in 4 partitions each; deleted afterwards."""
    yield from created_topics(admin, PARTITIONS)


def _produce(bootstrap: str, topics: Topics) -> int:
    producer = EventProducer(producer_config(bootstrap, "test-projector-processes"))
    start = datetime.now(UTC) - timedelta(hours=1)
    count = 0
    for n in range(SESSIONS):
        for event in session_events(f"s-{n}", start + timedelta(seconds=n)):
            producer.produce(topics.pipeline.name, encode_event(event), key=f"s-{n}")
            count += 1
    producer.flush()
    return count


def _one(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(cast("int", row[0])) if row and row[0] is not None else 0


def _live(pid: int) -> list[int]:
    """The children of ``pid`` that are running (not exited and waiting to be reaped)."""
    return [c.pid for c in psutil.Process(pid).children() if c.status() != psutil.STATUS_ZOMBIE]


def _members(admin: AdminClient, group: str) -> int:
    [described] = admin.describe_consumer_groups([group]).values()
    return len(described.result(timeout=10).members)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _member_started(port: int) -> float | None:
    """When the member's process started, as the command's metrics say (None: no answer)."""
    return sample(scrape(port), "process_start_time_seconds", process="2")


def test_two_members_share_the_partitions_and_write_each_event_once(
    bootstrap: str, admin: AdminClient, database_url: str, schema: str, spread: Topics,
    log_dir: Path,
) -> None:  # fmt: skip
    total = _produce(bootstrap, spread)
    port = _free_port()
    env = env_for(database_url, schema, spread, log_dir) | {
        "PROJECTOR_BATCH_SIZE": "50",
        "METRICS_PORT": str(port),
    }
    group = env["PROJECTOR_GROUP_ID"]
    conn = psycopg.connect(database_url, options=f"-csearch_path={schema}", autocommit=True)
    command = [str(Path(sys.executable).with_name("mediawatch")), "run", "projector"]
    parent = subprocess.Popen([*command, "--processes", "2"], env=env)
    try:
        assert wait_for(lambda: _members(admin, group) == 2, timeout=60)
        [child] = psutil.Process(parent.pid).children()
        positions = "SELECT sum(next_offset) FROM consumer_positions"
        assert wait_for(lambda: _one(conn, positions) == total, timeout=90)
        written = _one(conn, "SELECT count(DISTINCT (topic, partition)) FROM consumer_positions")
        assert written == PARTITIONS
        assert _one(conn, "SELECT count(*) FROM pipeline_events") == total
        assert _one(conn, "SELECT count(DISTINCT event_id) FROM pipeline_events") == total
        assert _one(conn, "SELECT count(*) FROM stage_runs") == total // 2

        first = _member_started(port)
        assert first is not None
        child.send_signal(signal.SIGKILL)  # a failed member is started again
        assert wait_for(lambda: _live(parent.pid) not in ([], [child.pid]), timeout=30)
        [restarted] = psutil.Process(parent.pid).children()
        # and serves its metrics through the command's port again
        assert wait_for(lambda: (_member_started(port) or first) > first, timeout=30)

        parent.send_signal(signal.SIGKILL)  # a member does not outlive its parent
        parent.wait(timeout=10)
        assert wait_for(lambda: not restarted.is_running() or restarted.status() == "zombie", 30)
    finally:
        if parent.poll() is None:
            parent.send_signal(signal.SIGTERM)
            parent.wait(timeout=30)
        conn.close()
