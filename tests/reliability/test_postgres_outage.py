"""PostgreSQL stopped during projection: the projector waits, resumes, and skips nothing.

The database is a cluster of the test's own (``PrivateCluster``), never the shared one. The
projector runs as ``mediawatch run projector``; events keep being produced while the database
is down. Once it is back, every produced event is projected exactly once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import encode_event
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_store import upgrade
from tests.integration.api.conftest import env_for
from tests.integration.api.samples import log, sample, session_events
from tests.integration.helpers import wait_for

from .pgcluster import PrivateCluster
from .topics import unique_topics

pytestmark = pytest.mark.reliability

SESSIONS_BEFORE = 80
SESSIONS_DURING = 40  # produced while the database is down
OUTAGE_SECONDS = 12


@pytest.fixture
def private_db() -> Iterator[PrivateCluster]:
    cluster = PrivateCluster()
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.destroy()


def _produce(bootstrap: str, topics: Topics, first: int, count: int, acked: list[str]) -> int:
    producer = EventProducer(
        producer_config(bootstrap, "rel-pg-outage"),
        on_acknowledged=lambda msg: acked.append(msg.topic() or ""),
    )
    start = datetime.now(UTC) - timedelta(hours=1)
    produced = 0
    for n in range(first, first + count):
        session = f"s-{n}"
        for event in session_events(session, start + timedelta(seconds=n)):
            producer.produce(topics.pipeline.name, encode_event(event), key=session)
            produced += 1
        producer.produce(topics.resources.name, encode_event(sample(start + timedelta(seconds=n))))
        producer.produce(topics.logs.name, encode_event(log(start, "INFO", f"line {n}")))
        produced += 2
    producer.flush()
    return produced


def _count(url: str, schema: str, sql: str) -> int:
    try:
        with psycopg.connect(url, options=f"-csearch_path={schema}", connect_timeout=3) as conn:
            row = conn.execute(sql).fetchone()
    except psycopg.OperationalError:
        return -1
    return int(row[0]) if row and row[0] is not None else 0


def test_postgres_stopped_mid_projection_projector_waits_and_projects_every_event_once(
    bootstrap: str, admin: AdminClient, private_db: PrivateCluster, tmp_path: Path
) -> None:
    url = private_db.url
    schema = f"rel_pg_{uuid.uuid4().hex[:8]}"
    upgrade(url, schema)
    with unique_topics(admin, "rel.pg") as topics:
        acked: list[str] = []
        produced = _produce(bootstrap, topics, 0, SESSIONS_BEFORE, acked)
        env = env_for(url, schema, topics, tmp_path / "logs") | {
            "PROJECTOR_BATCH_SIZE": "40",
            "PROJECTOR_GROUP_ID": f"rel-projector-{schema}",
        }
        out = (tmp_path / "projector.out").open("wb")
        projector = subprocess.Popen(
            [str(Path(sys.executable).with_name("mediawatch")), "run", "projector"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        written = "SELECT coalesce(sum(next_offset), 0) FROM consumer_positions"
        try:
            assert wait_for(lambda: _count(url, schema, written) > 0, timeout=60), "no progress"
            at_stop = _count(url, schema, written)
            private_db.stop("fast")
            produced += _produce(bootstrap, topics, SESSIONS_BEFORE, SESSIONS_DURING, acked)
            time.sleep(OUTAGE_SECONDS)
            alive_during_outage = projector.poll() is None
            private_db.start()
            caught_up = wait_for(lambda: _count(url, schema, written) == produced, timeout=120)
            projected = {
                "pipeline": _count(url, schema, "SELECT count(*) FROM pipeline_events"),
                "distinct": _count(
                    url, schema, "SELECT count(DISTINCT event_id) FROM pipeline_events"
                ),
                "samples": _count(url, schema, "SELECT count(*) FROM resource_samples"),
                "logs": _count(url, schema, "SELECT count(*) FROM log_records"),
            }
        finally:
            projector.send_signal(signal.SIGTERM)
            try:
                code = projector.wait(timeout=30)
            except subprocess.TimeoutExpired:
                projector.kill()
                code = projector.wait(timeout=10)
            out.close()
        sessions = SESSIONS_BEFORE + SESSIONS_DURING
        want = {"pipeline": sessions * 14, "distinct": sessions * 14,
                "samples": sessions, "logs": sessions}  # fmt: skip
        total = projected["pipeline"] + projected["samples"] + projected["logs"]
        duplicated = projected["pipeline"] - projected["distinct"]
        print(
            f"PostgreSQL stopped {OUTAGE_SECONDS}s mid-projection: produced={produced} "
            f"acknowledged={len(acked)} projected_before_stop={at_stop} projected={total} "
            f"duplicated={duplicated} lost={produced - total + duplicated}"
        )
        log_text = (tmp_path / "projector.out").read_text(errors="replace")[-3000:]
        assert alive_during_outage, f"the projector exited during the outage:\n{log_text}"
        assert caught_up, f"the projector did not resume:\n{log_text}"
        assert len(acked) == produced
        assert projected == want
        assert code == 0, log_text
