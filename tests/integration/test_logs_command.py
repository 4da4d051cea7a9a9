"""`mediawatch logs` over a real logs topic: tail with filters, then follow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from confluent_kafka.admin import AdminClient

from mediawatch_common.cli import main
from mediawatch_common.events import LogRecorded, Producer, encode_event
from mediawatch_common.kafka import EventProducer, declare_topics, ensure_topics, producer_config

pytestmark = pytest.mark.integration

WORKER = Producer(service="transcoder", host="worker-1", pid=11)
API = Producer(service="api", host="web-1", pid=12)
NOW = datetime.now(UTC)


def record(at: datetime, who: Producer, level: str, message: str, session: str) -> LogRecorded:
    return LogRecorded(producer=who, timestamp=at, level=level, logger="mediawatch_transcoder",
                       message=message, module="session", function="_stage", line=1,
                       process_id=who.pid, thread_id=1, extra={"session_id": session})  # fmt: skip


def produce(bootstrap: str, topic: str, events: list[LogRecorded]) -> None:
    producer = EventProducer(producer_config(bootstrap, "test-logs-command"))
    for event in events:
        producer.produce(topic, encode_event(event), key=event.logger,
                         timestamp_ms=int(event.timestamp.timestamp() * 1000))  # fmt: skip
    producer.flush()


@pytest.fixture
def prefix(bootstrap: str, admin: AdminClient) -> Iterator[str]:
    name = f"logstest{uuid.uuid4().hex[:8]}"
    topics = declare_topics(name, partitions=3)
    ensure_topics(admin, (topics.logs,), 1, 1)
    produce(bootstrap, topics.logs.name, [
        record(NOW - timedelta(hours=3), WORKER, "ERROR", "too old", "s-0"),
        record(NOW - timedelta(minutes=9), WORKER, "INFO", "stage completed", "s-1"),
        record(NOW - timedelta(minutes=8), WORKER, "ERROR", "stage failed", "s-2"),
        record(NOW - timedelta(minutes=7), API, "WARNING", "slow request", "-"),
        record(NOW - timedelta(minutes=6), WORKER, "CRITICAL", "disk full", "s-2"),
    ])  # fmt: skip
    yield name
    admin.delete_topics([topics.logs.name])


def _env(bootstrap: str, prefix: str, tmp: Path) -> dict[str, str]:
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix,
            "LOG_DIR": str(tmp), "LOG_CONSOLE": "false"}  # fmt: skip


def _messages(bootstrap: str, prefix: str, tmp: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(main, ["logs", "--json", *args], env=_env(bootstrap, prefix, tmp))
    assert result.exit_code == 0, result.output
    return [json.loads(line)["message"] for line in result.stdout.splitlines()]


def test_tail_keeps_the_newest_matching_records_in_time_order(
    bootstrap: str, prefix: str, tmp_path: Path
) -> None:
    def tail(*args: str) -> list[str]:
        return _messages(bootstrap, prefix, tmp_path, *args)

    assert tail() == ["stage completed", "stage failed", "slow request", "disk full"]
    assert tail("-n", "2") == ["slow request", "disk full"]
    assert tail("--level", "error") == ["stage failed", "disk full"]
    assert tail("--level", "ERROR", "--since", "1d") == ["too old", "stage failed", "disk full"]
    assert tail("--service", "api") == ["slow request"]
    assert tail("--host", "worker-1", "--session", "s-2") == ["stage failed", "disk full"]
    assert tail("--since", (NOW - timedelta(minutes=7, seconds=30)).isoformat()) == [
        "slow request",
        "disk full",
    ]
    bad = CliRunner().invoke(
        main, ["logs", "--since", "soon"], env=_env(bootstrap, prefix, tmp_path)
    )
    assert bad.exit_code == 2
    assert "--since" in bad.output


def test_follow_prints_records_as_they_arrive(bootstrap: str, prefix: str, tmp_path: Path) -> None:
    command = [str(Path(sys.executable).with_name("mediawatch")), "logs", "--json", "-f",
               "-n", "1", "--level", "ERROR"]  # fmt: skip
    follower = subprocess.Popen(
        command, env=_env(bootstrap, prefix, tmp_path), stdout=subprocess.PIPE, text=True
    )
    try:
        assert follower.stdout is not None
        assert json.loads(follower.stdout.readline())["message"] == "disk full"
        topic = declare_topics(prefix).logs.name
        produce(bootstrap, topic, [
            record(datetime.now(UTC), WORKER, "INFO", "not an error", "s-3"),
            record(datetime.now(UTC), WORKER, "ERROR", "new failure", "s-3"),
        ])  # fmt: skip
        assert json.loads(follower.stdout.readline())["message"] == "new failure"
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=30)
