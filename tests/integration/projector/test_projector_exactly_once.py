"""The projector writes every event exactly once, even when killed and restarted."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import psycopg
import pytest

from mediawatch_common.events import Event, encode_event
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from tests.integration.api.conftest import env_for
from tests.integration.api.samples import log, sample, session_events
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

SESSIONS = 150  # 14 pipeline events each


def _produce(bootstrap: str, topics: Topics) -> dict[str, int]:
    producer = EventProducer(producer_config(bootstrap, "test-projector"))
    start = datetime.now(UTC) - timedelta(hours=1)
    counts = {"pipeline": 0, "samples": 0, "logs": 0}
    for n in range(SESSIONS):
        session = f"s-{n}"
        events: list[Event] = session_events(session, start + timedelta(seconds=n))
        for event in events:
            producer.produce(topics.pipeline.name, encode_event(event), key=session)
        counts["pipeline"] += len(events)
        producer.produce(topics.resources.name, encode_event(sample(start + timedelta(seconds=n))))
        producer.produce(topics.logs.name, encode_event(log(start, "INFO", f"line {n}")))
        counts["samples"] += 1
        counts["logs"] += 1
    producer.flush()
    return counts


def _count(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(cast("int", row[0])) if row and row[0] is not None else 0


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("mediawatch")), "run", "projector"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_rows_equal_events_after_repeated_kills(
    bootstrap: str, database_url: str, schema: str, topics: Topics, log_dir: Path
) -> None:
    counts = _produce(bootstrap, topics)
    total = sum(counts.values())
    env = env_for(database_url, schema, topics, log_dir) | {"PROJECTOR_BATCH_SIZE": "40"}
    conn = psycopg.connect(database_url, options=f"-csearch_path={schema}", autocommit=True)
    written = "SELECT sum(next_offset) FROM consumer_positions"
    kills = 0
    for _ in range(3):
        before = _count(conn, written)
        process = _start(env)
        try:
            # Kill as soon as at least one more batch was committed, mid-stream.

            def grew(b: int = before) -> bool:
                return _count(conn, written) > b

            wait_for(grew, timeout=60)
            if _count(conn, written) < total:
                kills += 1
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    process = _start(env)
    try:
        assert wait_for(lambda: _count(conn, written) == total, timeout=90), "did not catch up"
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert kills >= 1, "the projector was never killed mid-stream"
    assert _count(conn, "SELECT count(*) FROM pipeline_events") == counts["pipeline"]
    assert (
        _count(conn, "SELECT count(DISTINCT event_id) FROM pipeline_events") == counts["pipeline"]
    )
    assert _count(conn, "SELECT count(*) FROM resource_samples") == counts["samples"]
    assert _count(conn, "SELECT count(*) FROM log_records") == counts["logs"]
    assert _count(conn, "SELECT sum(attempts) FROM stage_minutes") == SESSIONS * 7
    assert _count(conn, "SELECT count(*) FROM stage_runs WHERE success") == SESSIONS * 7
    assert _count(conn, "SELECT sum(stages_completed) FROM sessions") == SESSIONS * 7
    assert _count(conn, "SELECT count(*) FROM sessions WHERE status = 'completed'") == SESSIONS
    conn.close()
