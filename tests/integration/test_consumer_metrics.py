"""Consumer lag and dead letters as a scrape sees them, against the real broker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest
from prometheus_client import REGISTRY

from mediawatch_common.events import Event, decode_event, encode_event
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)

from .helpers import running, wait_for
from .test_consumer_loop import _completed

pytestmark = pytest.mark.integration


def _lag(group: str, topic: str) -> float | None:
    labels = {"group": group, "topic": topic, "partition": "0"}
    return REGISTRY.get_sample_value("mediawatch_consumer_lag_messages", labels)


def test_lag_follows_the_consumer_position_without_asking_the_broker(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("lag"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-lag"))
    for n in range(10):
        producer.produce(topic, encode_event(_completed(n)), key="one-key")
    producer.produce(topic, b"not an event", key="one-key")
    producer.flush()
    release = threading.Event()
    handled: list[Record[Event]] = []
    first: list[int] = []

    def hold_first(batch: Sequence[Record[Event]]) -> None:
        first.append(len(batch))
        release.wait(30)
        handled.extend(batch)

    group = f"g-{topic}"
    reason = {"topic": topic, "reason": "DecodeError"}
    before = REGISTRY.get_sample_value("mediawatch_dead_letters_total", reason) or 0.0
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(bootstrap, group),
        [topic],
        decode_event,
        hold_first,
        DeadLetters(producer, dlq, group),
        batch_size=4,
    )
    with running(loop):
        # The first batch is being handled: the rest of the 11 messages are not read yet.
        assert wait_for(lambda: bool(first))
        assert wait_for(lambda: _lag(group, topic) == 11 - first[0])
        release.set()
        assert wait_for(lambda: len(handled) == 10)
        assert wait_for(lambda: _lag(group, topic) == 0)
    assert _lag(group, topic) is None  # a stopped loop reports nothing
    after = REGISTRY.get_sample_value("mediawatch_dead_letters_total", reason)
    assert after == before + 1


def test_a_caught_up_consumer_reports_its_lag_before_reading_anything(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("idle"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-idle"))
    for n in range(3):
        producer.produce(topic, encode_event(_completed(n)), key="k")
    producer.flush()
    group = f"g-{topic}"
    seen: list[Record[Event]] = []

    def loop() -> ConsumerLoop[Event]:
        return ConsumerLoop(
            consumer_config(bootstrap, group),
            [topic],
            decode_event,
            seen.extend,
            DeadLetters(producer, dlq, group),
        )

    with running(loop()):
        assert wait_for(lambda: len(seen) == 3)
    with running(loop()):  # committed at the end: nothing more to hand out
        assert wait_for(lambda: _lag(group, topic) == 0)
        producer.produce(topic, encode_event(_completed(9)), key="k")
        producer.flush()
        assert wait_for(lambda: len(seen) == 4)
        assert wait_for(lambda: _lag(group, topic) == 0)


def test_messages_arriving_while_a_failing_handler_holds_the_partition_show_as_lag(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("held"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-held"))
    producer.produce(topic, encode_event(_completed(0)), key="k")
    producer.flush()
    healthy = threading.Event()
    attempts: list[int] = []
    handled: list[Record[Event]] = []

    def fail_until_healthy(batch: Sequence[Record[Event]]) -> None:
        attempts.append(len(batch))
        if not healthy.is_set():
            raise RuntimeError("store down")
        handled.extend(batch)

    group = f"g-{topic}"
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(bootstrap, group),
        [topic],
        decode_event,
        fail_until_healthy,
        DeadLetters(producer, dlq, group),
        max_backoff=0.5,
    )
    with running(loop):
        assert wait_for(lambda: bool(attempts))
        # The loop paused the partition on the first failure; let a fetch sent before that
        # (up to fetch.wait.max.ms, 500 ms) come back, so none can carry the next messages.
        time.sleep(1.0)
        for n in range(1, 4):
            producer.produce(topic, encode_event(_completed(n)), key="k")
        producer.flush()
        assert wait_for(lambda: _lag(group, topic) == 3, timeout=15), loop.lag()
        healthy.set()
        assert wait_for(lambda: len(handled) == 4)
        assert wait_for(lambda: _lag(group, topic) == 0)
