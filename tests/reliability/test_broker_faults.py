"""Brokers killed and restarted under load: acknowledged events are never lost."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

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
from .cluster import Cluster
from .ledger import Ledger, read_topic

pytestmark = pytest.mark.reliability

RATE = 2000  # events per second, so that faults land mid-stream


def _topic(bootstrap: str, replication: int, partitions: int = 3) -> str:
    name = f"rel.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    config = {"min.insync.replicas": str(min(2, replication))}
    admin.create_topics([NewTopic(name, partitions, replication, config=config)])[name].result()
    time.sleep(1)
    return name


def _event(n: int) -> Event:
    from bench.figures.produce import sample_event

    return sample_event(n)


def _produce_paced(producer: EventProducer, topic: str, count: int, ledger: Ledger,
                   faults: dict[int, Callable[[], None]]) -> None:  # fmt: skip
    """Produce ``count`` events at RATE/s, firing each fault (in a thread) at its index."""
    start = time.monotonic()
    threads = []
    for n in range(count):
        if n in faults:
            threads.append(threading.Thread(target=faults[n]))
            threads[-1].start()
        event = _event(n)
        ledger.produced.add(str(event.event_id))
        producer.produce(topic, encode_event(event), key=str(event.event_id))
        ahead = start + n / RATE - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    for thread in threads:
        thread.join(timeout=240)


def _ack(ledger: Ledger) -> Callable[[Message], None]:
    return lambda msg: ledger.acknowledged.add((msg.key() or b"").decode())


def _read_all(bootstrap: str, topic: str, ledger: Ledger) -> None:
    read_topic(bootstrap, topic, ledger)


def test_sigkill_of_one_of_three_brokers_loses_no_acknowledged_event_and_duplicates_none(
    trio: Cluster,
) -> None:
    topic = _topic(trio.bootstrap, replication=3)
    ledger = Ledger()
    producer = EventProducer(
        producer_config(trio.bootstrap, "rel-kill"), on_acknowledged=_ack(ledger)
    )
    count = RATE * 12
    _produce_paced(producer, topic, count, ledger, faults={
        RATE * 2: lambda: trio.signal(2, "KILL"),
        RATE * 6: lambda: trio.start(2),
    })  # fmt: skip
    producer.flush(timeout=180)  # raises if any event was not acknowledged
    _read_all(trio.bootstrap, topic, ledger)
    print(ledger.report("SIGKILL 1 of 3 brokers while producing"))
    assert ledger.acknowledged == ledger.produced
    assert not ledger.lost()
    assert ledger.duplicated() == 0


def test_a_restarted_single_broker_is_rejoined_by_producer_and_consumer_with_nothing_lost(
    solo: Cluster,
) -> None:
    topic = _topic(solo.bootstrap, replication=1)
    dlq = _topic(solo.bootstrap, replication=1, partitions=1)
    ledger = Ledger()

    def seen(record: Record[Event]) -> None:
        ledger.read[str(record.event.event_id)] += 1

    group = f"rel-restart-{topic}"
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(solo.bootstrap, group), [topic], decode_event, each(seen),
        DeadLetters(EventProducer(producer_config(solo.bootstrap, group)), dlq, group),
    )  # fmt: skip
    consumer = threading.Thread(target=loop.run, daemon=True)
    consumer.start()
    producer = EventProducer(
        producer_config(solo.bootstrap, "rel-restart"), on_acknowledged=_ack(ledger)
    )

    def restart() -> None:
        solo.signal(1, "TERM")
        solo.start(1)

    try:
        _produce_paced(producer, topic, RATE * 10, ledger, faults={RATE * 2: restart})
        producer.flush(timeout=180)
        assert wait_for(lambda: not ledger.lost(), timeout=120), ledger.report("restart")
    finally:
        loop.stop()
        consumer.join(timeout=60)
    print(ledger.report("restart the only broker mid-stream"))
    assert ledger.acknowledged == ledger.produced
    assert not ledger.lost()
