"""The ends of paused partitions: the order they are asked in, and a broker that never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.metrics.lag import LagTracker, ask_order, broker_ends

pytestmark = pytest.mark.unit


def test_partitions_never_answered_are_asked_first_then_the_oldest() -> None:
    paused = [("t", 2), ("t", 0), ("t", 1), ("u", 0)]
    answered = {("t", 0): 10.0, ("t", 1): 5.0}
    assert ask_order(paused, answered) == [("t", 2), ("u", 0), ("t", 1), ("t", 0)]


def test_nothing_paused_asks_nothing() -> None:
    assert ask_order([], {("t", 0): 1.0}) == []


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A TCP listener that accepts connections and never answers a request."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_silent_broker_holds_the_consuming_thread_only_for_the_budget(
    silent_broker: str,
) -> None:
    consumer = Consumer({"bootstrap.servers": silent_broker, "group.id": "silent"})
    try:
        paused = [TopicPartition("jobs", p) for p in range(3)]
        tracker = LagTracker(consumer, "silent", every_seconds=0, positions=dict, ends_timeout=0.3)
        tracker.assignment.assigned(consumer, paused)
        tracker.paused(paused)
        started = time.monotonic()
        tracker.refresh()
        first = time.monotonic() - started
        tracker.refresh()  # the next asking is not due yet: no wait at all
        both = time.monotonic() - started
        assert tracker() == []  # no end known: no lag reported
        assert first < 0.3 + 0.3, first
        assert both - first < 0.15, both - first
        assert broker_ends(consumer, [("jobs", 0)], 0.0) == {}
    finally:
        consumer.close()
