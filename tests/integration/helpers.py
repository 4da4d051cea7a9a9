"""Small tools for integration tests: read a topic raw, run a consumer loop in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from confluent_kafka import Consumer, Message, TopicPartition

from mediawatch_common.kafka import ConsumerLoop


def read_raw(bootstrap: str, topic: str, count: int, timeout: float = 20.0) -> list[Message]:
    """Read the first ``count`` messages of every partition of ``topic``, undecoded."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"raw-{topic}", "enable.auto.commit": False}
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        found: list[Message] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            found += [m for m in consumer.consume(100, 0.5) if m.error() is None]
        return found
    finally:
        consumer.close()


def wait_for(condition: Callable[[], object], timeout: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


@contextmanager
def running(loop: ConsumerLoop[Any]) -> Iterator[ConsumerLoop[Any]]:
    """Run a consumer loop in a background thread for the duration of a block."""
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.stop()
        thread.join(timeout=30)
        assert not thread.is_alive(), "consumer loop did not stop"
