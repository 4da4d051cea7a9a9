"""SIGSTOP a broker of the 3-broker cluster past every session timeout, then SIGCONT.

A GC-pause stand-in: broker 1 freezes for longer than the brokers' session timeout (6 s, so
the controller fences it and leadership moves) and the consumers' (10 s), while a producer
and a consumer loop keep running. Once thawed, the broker rejoins. Every acknowledged event is
read by the consumer (at least once) and is in the topic exactly once.
"""

from __future__ import annotations

import threading
import time

import pytest
from confluent_kafka import Message

from mediawatch_common.events import Event, decode_event
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
from .ledger import Ledger
from .test_broker_faults import RATE, _produce_paced, _read_all, _topic

pytestmark = pytest.mark.reliability

PAUSE_SECONDS = 15  # > broker.session.timeout.ms (6 s) and the consumers' session (10 s)


def test_broker_frozen_past_session_timeouts_loses_nothing_and_writes_no_duplicate(
    trio: Cluster,
) -> None:
    topic = _topic(trio.bootstrap, replication=3)
    dlq = _topic(trio.bootstrap, replication=3, partitions=1)
    ledger = Ledger()
    topic_ledger = Ledger()

    def seen(record: Record[Event]) -> None:
        ledger.read[str(record.event.event_id)] += 1

    def acked(msg: Message) -> None:
        ledger.acknowledged.add((msg.key() or b"").decode())

    def pause() -> None:
        trio.signal(1, "STOP")
        try:
            time.sleep(PAUSE_SECONDS)
        finally:
            trio.signal(1, "CONT")

    group = f"rel-pause-{topic}"
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(trio.bootstrap, group), [topic], decode_event, each(seen),
        DeadLetters(EventProducer(producer_config(trio.bootstrap, group)), dlq, group),
    )  # fmt: skip
    consumer = threading.Thread(target=loop.run, daemon=True)
    consumer.start()
    producer = EventProducer(producer_config(trio.bootstrap, "rel-pause"), on_acknowledged=acked)
    try:
        _produce_paced(producer, topic, RATE * 10, ledger, faults={RATE * 2: pause})
        producer.flush(timeout=180)  # raises if any event was not acknowledged
        caught_up = wait_for(lambda: not ledger.lost(), timeout=120)
    finally:
        loop.stop()
        consumer.join(timeout=60)
    topic_ledger.produced, topic_ledger.acknowledged = ledger.produced, ledger.acknowledged
    _read_all(trio.bootstrap, topic, topic_ledger)
    print(ledger.report(f"SIGSTOP broker 1 of 3 for {PAUSE_SECONDS}s (consumer loop)"))
    print(topic_ledger.report(f"SIGSTOP broker 1 of 3 for {PAUSE_SECONDS}s (topic read back)"))
    assert not consumer.is_alive()
    assert ledger.acknowledged == ledger.produced
    assert caught_up, ledger.report("consumer did not catch up")
    assert not ledger.lost()
    assert not topic_ledger.lost()
    assert topic_ledger.duplicated() == 0
