"""Network faults between clients and the broker, through our own TCP proxy: nothing lost.

A one-broker cluster of the test's own advertises the proxy's address, so every connection a
client makes (bootstrap and the broker it learns from metadata) goes through the proxy. A
producer and a consumer loop run while the proxy adds latency, resets every connection and
then turns into a black hole. Each fault must be survived with bounded retries: the producer's
every event is acknowledged within its delivery timeout, the consumer reads every one of them,
the topic holds each exactly once, and the clients reconnect a bounded number of times.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka import Message
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from mediawatch_common.events import Event, decode_event, encode_event
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    each,
    producer_config,
)

from ..integration.helpers import wait_for
from .cluster import KAFKA, Cluster
from .ledger import Ledger, read_topic
from .pgcluster import free_port
from .proxy import Proxy

pytestmark = pytest.mark.reliability

BROKER_PORT = 29592  # its controller on 29692; the trio uses 29092.., the solo 29292
RATE = 200  # events per second
# Clients give up on a silent connection after this long and reconnect.
TIMEOUTS = {"socket.timeout.ms": 6000, "request.timeout.ms": 5000}
MAX_CONNECTIONS = 300  # bounded retries: reconnections are counted by the proxy


@pytest.fixture(scope="module")
def fronted() -> Iterator[tuple[Cluster, Proxy]]:
    """A one-broker cluster whose advertised listener is the proxy in front of it."""
    proxy = Proxy(free_port(), BROKER_PORT).start()
    cluster = Cluster("relnet", 1, BROKER_PORT)
    env = {
        **os.environ,
        "MEDIAWATCH_KAFKA_EXTRA_PROPS": (
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{proxy.listen_port},"
            f"CONTROLLER://127.0.0.1:{BROKER_PORT + 100}"
        ),
    }
    try:
        cluster.destroy()
        up = ["bash", str(KAFKA), "up", "--cluster", cluster.name, "--brokers", "1",
              "--port", str(BROKER_PORT)]  # fmt: skip
        done = subprocess.run(up, env=env, capture_output=True, text=True, timeout=240,
                              check=False)  # fmt: skip
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        yield cluster, proxy
    finally:
        try:
            cluster.destroy()
        finally:
            proxy.stop()


def _topic(bootstrap: str, partitions: int) -> str:
    name = f"relnet.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(30)
    return name


def _read_back(bootstrap: str, topic: str, ledger: Ledger) -> Ledger:
    """Every message of the topic, read directly after the faults, as a second ledger."""
    found = read_topic(bootstrap, topic, Ledger())
    found.produced, found.acknowledged = set(ledger.produced), set(ledger.acknowledged)
    return found


def test_latency_resets_and_black_hole_are_survived_with_bounded_retries_and_no_loss(
    fronted: tuple[Cluster, Proxy],
) -> None:
    from bench.figures.produce import sample_event

    _, proxy = fronted
    bootstrap = f"127.0.0.1:{proxy.listen_port}"
    topic = _topic(bootstrap, 3)
    dlq = _topic(bootstrap, 1)
    ledger = Ledger()

    def seen(record: Record[Event]) -> None:
        ledger.read[str(record.event.event_id)] += 1

    def acked(msg: Message) -> None:
        ledger.acknowledged.add((msg.key() or b"").decode())

    group = f"relnet-{topic}"
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(bootstrap, group, extra=TIMEOUTS), [topic], decode_event, each(seen),
        DeadLetters(EventProducer(producer_config(bootstrap, group, TIMEOUTS)), dlq, group),
    )  # fmt: skip
    consumer = threading.Thread(target=loop.run, daemon=True)
    producer = EventProducer(producer_config(bootstrap, "relnet", TIMEOUTS), on_acknowledged=acked)
    # (fault, seconds it lasts); every fault is followed by a pass-through phase.
    phases: list[tuple[str, Callable[[], None], float]] = [
        ("pass", proxy.pass_through, 2),
        ("latency 300 ms", lambda: proxy.latency(0.3), 5),
        ("pass", proxy.pass_through, 2),
        ("connection resets", proxy.reset, 3),
        ("pass", proxy.pass_through, 3),
        ("black hole", proxy.blackhole, 8),
        ("pass", proxy.pass_through, 4),
    ]
    counts: list[str] = []
    consumer.start()
    n = 0
    try:
        for name, switch, seconds in phases:
            switch()
            before = (len(ledger.produced), proxy.accepted)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                event = sample_event(n)
                n += 1
                ledger.produced.add(str(event.event_id))
                producer.produce(topic, encode_event(event), key=str(event.event_id))
                time.sleep(1 / RATE)
            counts.append(f"{name}: produced={len(ledger.produced) - before[0]} "
                          f"connections={proxy.accepted - before[1]}")  # fmt: skip
        producer.flush(timeout=120)  # raises if any event was not acknowledged
        caught_up = wait_for(lambda: not ledger.lost(), timeout=90)
    finally:
        proxy.pass_through()
        loop.stop()
        consumer.join(timeout=60)
    topic_ledger = _read_back(bootstrap, topic, ledger)
    print("\n".join(counts))
    print(ledger.report("network faults through the proxy (consumer loop)"))
    print(topic_ledger.report("network faults through the proxy (topic read back)"))
    print(f"connections accepted={proxy.accepted} reset={proxy.resets}")
    assert not consumer.is_alive()
    assert ledger.acknowledged == ledger.produced
    assert caught_up, ledger.report("consumer did not catch up")
    assert not ledger.lost()
    assert not topic_ledger.lost()
    assert topic_ledger.duplicated() == 0, "the idempotent producer wrote a duplicate"
    assert proxy.accepted <= MAX_CONNECTIONS, "clients reconnected without bound"
