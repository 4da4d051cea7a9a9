"""Clearing alerts end to end: the API, the projector and a real alerter process.

``DELETE /alerts`` empties ``GET /alerts`` (the premise of a chat script that pages while
``.alerts | length > 0``); the alerter takes the clearing as final for that instance, also
after a restart, and raises a new alert when the condition occurs again.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    Event,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from tests.integration.api.conftest import env_for
from tests.integration.api.helpers import login
from tests.integration.api.samples import sample
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

CRITICAL = "/api/v1/monitoring/alerts?level=critical&limit=5"


@contextmanager
def alerter_process(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``mediawatch run alerter`` for the length of a block."""
    command = [str(Path(sys.executable).with_name("mediawatch")), "run", "alerter"]
    process = subprocess.Popen(command, env=env)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def alert_log(bootstrap: str, topic: str) -> list[tuple[int, Event]]:
    """Every event on the (one-partition) alerts topic with its offset, up to its end now."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"read-{uuid.uuid4().hex[:8]}"}
    )
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        consumer.assign([TopicPartition(topic, 0, 0)])
        found: list[tuple[int, Event]] = []
        while consumer.position([TopicPartition(topic, 0)])[0].offset < high:
            for m in consumer.consume(100, 0.5):
                if m.error() is None:
                    found.append((m.offset() or 0, decode_event(m.value() or b"")))
        return found
    finally:
        consumer.close()


def committed(bootstrap: str, group: str, topic: str) -> int:
    """The next offset ``group`` will read on partition 0 of ``topic`` (-1001: none yet)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (position,) = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return int(position.offset)
    finally:
        consumer.close()


class Cpu:
    """Produces resource samples of given hosts to the resources topic, in order."""

    def __init__(self, bootstrap: str, topics: Topics) -> None:
        self._producer = EventProducer(producer_config(bootstrap, "test-cpu"))
        self._topic = topics.resources.name

    def send(self, *readings: tuple[str, float]) -> None:
        for host, cpu in readings:
            event = sample(datetime.now(UTC), host, cpu)
            self._producer.produce(self._topic, encode_event(event), key=host)
        self._producer.flush()


def raised_for(events: list[tuple[int, Event]], host: str) -> list[AlertRaised]:
    return [e for _, e in events if isinstance(e, AlertRaised) and e.labels.get("host") == host]


def test_cleared_alerts_stay_cleared_until_the_condition_occurs_again(
    client: TestClient[Litestar],
    services: Services,
    projector: object,
    bootstrap: str,
    topics: Topics,
    database_url: str,
    schema: str,
    log_dir: Path,
) -> None:
    admin = login(client, services, "admin1", "admin")
    alerts = topics.alerts.name
    env = env_for(database_url, schema, topics, log_dir) | {
        "ALERTER_GROUP_ID": f"test-alerter-{schema}",
        "ALERTER_TICK_SECONDS": "0.2",
        "ALERTER_RESOURCE_FOR_SECONDS": "0",
    }
    cpu = Cpu(bootstrap, topics)

    def critical() -> list[str]:
        return [a["labels"]["host"] for a in client.get(CRITICAL, headers=admin).json()["alerts"]]

    with alerter_process(env):
        cpu.send(("host-a", 99.0))
        assert wait_for(lambda: critical() == ["host-a"], timeout=60)

        cleared = client.delete("/api/v1/monitoring/alerts", headers=admin).json()
        assert cleared == {"message": "Alerts cleared", "cleared": 1, "visible": True}
        body = client.get(CRITICAL, headers=admin).json()
        assert len(body["alerts"]) == 0  # `.alerts | length > 0` no longer pages

        # The alerter has read the clearing once its group committed past it.
        (clearing_at,) = [o for o, e in alert_log(bootstrap, alerts) if _by_hand(e)]
        group = env["ALERTER_GROUP_ID"]
        assert wait_for(lambda: committed(bootstrap, group, alerts) > clearing_at, timeout=30)

        # Still critical, then clear, on host-a; host-b's alert marks the end of the batch.
        cpu.send(("host-a", 99.0), ("host-a", 98.0), ("host-b", 99.0))
        assert wait_for(lambda: critical() == ["host-b"], timeout=60)
        events = alert_log(bootstrap, alerts)
        assert len(raised_for(events, "host-a")) == 1  # the cleared instance was not raised again
        cpu.send(("host-a", 10.0), ("host-b", 99.0))  # host-a observed clear

        cpu.send(("host-a", 99.0))  # occurs again
        assert wait_for(lambda: sorted(critical()) == ["host-a", "host-b"], timeout=60)
        events = alert_log(bootstrap, alerts)
        first, second = raised_for(events, "host-a")
        assert first.alert_id != second.alert_id
        resolutions = [e for _, e in events if isinstance(e, AlertResolved)]
        assert [(r.alert_id, r.actor) for r in resolutions] == [(first.alert_id, "admin1")]

        cleared = client.delete("/api/v1/monitoring/alerts", headers=admin).json()
        assert cleared["cleared"] == 2
        assert critical() == []

    # A restarted alerter rebuilds the clearings from the alerts topic: still quiet.
    with alerter_process(env):
        cpu.send(("host-a", 99.0), ("host-b", 99.0), ("host-c", 99.0))
        assert wait_for(lambda: critical() == ["host-c"], timeout=60)
        events = alert_log(bootstrap, alerts)
        assert [len(raised_for(events, h)) for h in ("host-a", "host-b")] == [2, 1]


def _by_hand(event: Event) -> bool:
    return isinstance(event, AlertResolved) and event.actor is not None
