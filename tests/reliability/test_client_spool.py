"""The client library loses nothing and doubles nothing when Kafka goes away.

Each test reads the pipeline topic back and checks every event is there exactly once and each
session's events are in the order they were reported.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from mediawatch_client import ClientConfig, MediaMonitor, ProcessingStage
from mediawatch_common.events import StageCompleted, StageStarted, decode_event
from mediawatch_common.replay import HistoryReader

from .cluster import Cluster

pytestmark = pytest.mark.reliability

REPO = Path(__file__).resolve().parents[2]
STAGES = list(ProcessingStage)
Step = tuple[str, str, str, int]  # session, event type, stage, attempt


def _pipeline_topic(bootstrap: str) -> str:
    prefix = f"rel.client.{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}.pipeline"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result()
    return prefix


def _read(bootstrap: str, topic: str) -> tuple[Counter[str], dict[str, list[Step]]]:
    ids: Counter[str] = Counter()
    sessions: dict[str, list[Step]] = {}
    reader = HistoryReader(bootstrap, decode_event)
    try:
        for record in reader.read([topic], None, None):
            event = record.event
            assert isinstance(event, StageStarted | StageCompleted)
            ids[str(event.event_id)] += 1
            step = (event.session_id, type(event).__name__, event.stage.name, event.attempt)
            sessions.setdefault(event.session_id, []).append(step)
    finally:
        reader.close()
    return ids, sessions


def _expected(pairs: int, sessions: int) -> dict[str, list[Step]]:
    out: dict[str, list[Step]] = {}
    attempts: Counter[tuple[str, str]] = Counter()
    for n in range(pairs):
        session, stage = f"s{n % sessions}", STAGES[(n // sessions) % len(STAGES)].name
        attempts[(session, stage)] += 1
        steps = out.setdefault(session, [])
        steps.append((session, "StageStarted", stage, attempts[(session, stage)]))
        steps.append((session, "StageCompleted", stage, attempts[(session, stage)]))
    return out


def test_a_broker_outage_mid_stream_loses_and_doubles_nothing(
    solo: Cluster, tmp_path: Path
) -> None:
    prefix = _pipeline_topic(solo.bootstrap)
    monitor = MediaMonitor(
        ClientConfig(
            bootstrap_servers=solo.bootstrap,
            topic_prefix=prefix,
            producer_name="rel-outage",
            spool_dir=tmp_path,
            delivery_timeout=2.0,
            retry_interval=0.5,
            close_timeout=60.0,
        )
    )
    pairs, sessions = 10_000, 50

    def stop_then_restart() -> None:
        solo.signal(1, "TERM")
        time.sleep(3)
        solo.start(1)

    outage = threading.Thread(target=stop_then_restart)
    for n in range(pairs):
        if n == 2_000:
            outage.start()
        session, stage = f"s{n % sessions}", STAGES[(n // sessions) % len(STAGES)]
        monitor.start_processing_sync(session, "u", stage)
        monitor.complete_processing_sync(session, stage, True)
        time.sleep(0.0005)  # ~2,000 events/s, so the outage lands mid-stream
    outage.join()
    spooled = monitor.counters["spooled"]
    monitor.close()
    ids, seen = _read(solo.bootstrap, f"{prefix}.pipeline")
    assert spooled > 0, "the outage never reached the spool"
    assert sum(ids.values()) == len(ids) == 2 * pairs, (
        f"read {sum(ids.values())}, distinct {len(ids)}, spooled {spooled}"
    )
    assert seen == _expected(pairs, sessions)


def _client(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.client_process", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_events_spooled_by_a_killed_process_are_sent_when_it_restarts(
    solo: Cluster, tmp_path: Path
) -> None:
    prefix = _pipeline_topic(solo.bootstrap)
    solo.signal(1, "TERM")
    try:
        first = _client([solo.bootstrap, prefix, str(tmp_path), "500"])
        assert first.stdout is not None
        line = first.stdout.readline()
        assert line.strip() == "spooled 1000", line + (first.stderr.read() if first.stderr else "")
        first.kill()
        first.wait(10)
    finally:
        solo.start(1)
    second = _client([solo.bootstrap, prefix, str(tmp_path), "0"])
    _, err = second.communicate(timeout=90)
    assert second.returncode == 0, err
    ids, seen = _read(solo.bootstrap, f"{prefix}.pipeline")
    assert sum(ids.values()) == len(ids) == 1001
    expected = _expected(500, 10)
    expected["restart-marker"] = [("restart-marker", "StageCompleted", "CLEANUP", 1)]
    assert seen == expected
    assert not list((tmp_path / "rel-client").glob("*.seg")), "the spool was not emptied"


def test_a_full_spool_keeps_the_oldest_and_says_how_many_it_dropped(
    solo: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    prefix = _pipeline_topic(solo.bootstrap)
    config = ClientConfig(
        bootstrap_servers=solo.bootstrap, topic_prefix=prefix, producer_name="rel-full",
        spool_dir=tmp_path, spool_max_bytes=40_000, delivery_timeout=1.0, retry_interval=0.5,
        close_timeout=30.0,
    )  # fmt: skip
    solo.signal(1, "TERM")
    try:
        monitor = MediaMonitor(config)
        for n in range(1000):
            monitor.start_processing_sync(f"s{n % 10}", "u", STAGES[(n // 10) % len(STAGES)])
        assert monitor.flush(30)
        kept, dropped = monitor.counters["spooled"], monitor.counters["dropped (spool full)"]
        monitor.close(timeout=2)
    finally:
        solo.start(1)
    assert kept + dropped == 1000
    assert 0 < kept < 1000
    assert f"mediawatch dropped events: {dropped} (spool full)" in caplog.text
    MediaMonitor(config).close()  # a restart sends what was kept
    ids, seen = _read(solo.bootstrap, f"{prefix}.pipeline")
    assert sum(ids.values()) == len(ids) == kept
    oldest: dict[str, list[Step]] = {}
    attempts: Counter[tuple[str, str]] = Counter()
    for n in range(kept):
        session, stage = f"s{n % 10}", STAGES[(n // 10) % len(STAGES)].name
        attempts[(session, stage)] += 1
        oldest.setdefault(session, []).append(
            (session, "StageStarted", stage, attempts[(session, stage)])
        )
    assert seen == oldest
