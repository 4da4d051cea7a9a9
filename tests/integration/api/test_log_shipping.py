"""Services ship their records to the logs topic; a dead broker never holds a caller up."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediawatch_common.events import LogRecorded, decode_event
from mediawatch_common.kafka import Topics
from mediawatch_common.logs import ship_logs
from mediawatch_common.settings import load_settings
from tests.integration.api.conftest import env_for
from tests.integration.helpers import read_raw

pytestmark = pytest.mark.integration


def _shipped(bootstrap: str, topic: str, count: int) -> list[LogRecorded]:
    events = [decode_event(m.value() or b"") for m in read_raw(bootstrap, topic, count, timeout=30)]
    return [e for e in events if isinstance(e, LogRecorded)]


def test_a_service_ships_its_records_up_to_its_shutdown(
    bootstrap: str, database_url: str, schema: str, topics: Topics, log_dir: Path
) -> None:
    env = env_for(database_url, schema, topics, log_dir) | {"LOG_SHIP": "true"}
    command = [str(Path(sys.executable).with_name("mediawatch")), "run", "projector"]
    process = subprocess.Popen(command, env=env)
    try:
        started = _shipped(bootstrap, topics.logs.name, 1)
        assert started[0].message == "projector started"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    shipped = _shipped(bootstrap, topics.logs.name, 4)  # started, assigned, signal, stopped
    messages = [e.message for e in shipped]
    assert messages[0] == "projector started"
    assert messages[-1] == "projector stopped"  # logged on the way out, shipped before exit
    first = shipped[0]
    assert first.producer.service == "projector"
    assert first.producer.pid == process.pid
    assert first.level == "INFO"
    assert first.logger == "mediawatch_projector.cli"
    assert first.extra["schema"] == schema
    assert (log_dir / "projector" / "application.log").read_text().count("projector st") == 2


def test_a_dead_broker_costs_the_caller_nothing(log_dir: Path) -> None:
    settings = load_settings(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "LOG_DIR": str(log_dir),
            "LOG_SHIP_QUEUE_SIZE": "1000",
            "LOG_SHIP_FLUSH_SECONDS": "1",
        }
    )
    shipper = ship_logs(settings, "test")
    logger = logging.getLogger("mediawatch_transcoder.test_dead_broker")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(shipper)
    try:
        slowest = 0.0
        for n in range(20_000):
            began = time.perf_counter()
            logger.info("record %d", n, extra={"session_id": "s-1"})
            slowest = max(slowest, time.perf_counter() - began)
    finally:
        logger.removeHandler(shipper)
    began = time.monotonic()
    shipper.close()
    closing = time.monotonic() - began
    # A call that waited for the broker would take librdkafka's 30 s message timeout; the
    # bounds leave room for a loaded machine's scheduling.
    assert slowest < 1.0, f"one call took {slowest * 1000:.1f} ms"
    assert closing < 5.0  # LOG_SHIP_FLUSH_SECONDS=1
    assert shipper.dropped == 20_000
