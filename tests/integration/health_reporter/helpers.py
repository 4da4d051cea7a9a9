"""Start ``mediawatch run health`` as a process with its own topics and directories."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.events import HealthChecked, decode_event

MEDIAWATCH = Path(sys.executable).with_name("mediawatch")


def reporter_env(
    bootstrap: str, prefix: str, work: Path, interval: float, **more: str
) -> dict[str, str]:
    """Environment of a reporter on ``prefix`` topics checking directories under ``work``."""
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "HEALTH_CHECK_INTERVAL_SECONDS": str(interval),
        "HEALTH_CHECK_TEMP_DIR": str(work / "tmp"),
        "TRANSCODER_STORAGE_BACKEND": "local",
        "TRANSCODER_STORAGE_DIR": str(work / "storage"),
        "LOG_DIR": str(work / "logs"),
        "LOG_CONSOLE": "false",
        **more,
    }


@contextmanager
def reporter(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A running reporter process; SIGTERM (then a kill) when the block ends."""
    (Path(env["LOG_DIR"])).mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(MEDIAWATCH), "run", "health"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then a kill after 15 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def health_events(bootstrap: str, topic: str, count: int, timeout: float) -> list[HealthChecked]:
    """The first ``count`` HealthChecked events on ``topic`` (fewer if ``timeout`` passes)."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"read-{topic}", "enable.auto.commit": False}
    )
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        found: list[HealthChecked] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            for message in consumer.consume(100, 0.5):
                if message.error() is None:
                    event = decode_event(message.value() or b"")
                    if isinstance(event, HealthChecked):
                        found.append(event)
        return found[:count]
    finally:
        consumer.close()
