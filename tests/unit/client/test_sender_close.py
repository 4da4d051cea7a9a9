"""Closing a sender never waits on destroying its Kafka client.

Destroying a confluent-kafka client joins librdkafka's threads; in a forked child that can
hang for good (a resolver lock held by a parent's thread at the fork is never released). The
client is therefore destroyed in the sender's own thread, after close() has its answer.
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from mediawatch_client.sender import Sender
from mediawatch_client.spool import Spool

pytestmark = pytest.mark.unit


class _Recorded(Producer):
    """A real client that notes the thread it is destroyed in and can be held there."""

    destroyed_in: list[str]
    release: threading.Event

    def __del__(self) -> None:
        self.destroyed_in.append(threading.current_thread().name)
        self.release.wait(30)


def test_the_client_is_destroyed_in_the_sender_thread_not_the_callers(tmp_path: Path) -> None:
    destroyed_in: list[str] = []
    release = threading.Event()

    def make(config: dict[str, Any]) -> Producer:
        client = _Recorded(config)
        client.destroyed_in, client.release = destroyed_in, release
        return client

    sender = Sender(
        {"bootstrap.servers": "127.0.0.1:1", "enable.idempotence": True, "acks": "all"},
        lambda: Spool(tmp_path, 1 << 26),
        queue_size=100,
        delivery_timeout=0.3,
        retry_interval=0.2,
        make_producer=make,
    )
    try:
        sender.close(1.0)  # returns although destroying the client is held until release
        assert sender.outcome().acknowledged
        del sender
        gc.collect()
        deadline = time.monotonic() + 10
        while not destroyed_in and time.monotonic() < deadline:
            time.sleep(0.01)
        assert destroyed_in == ["mediawatch-sender"]
    finally:
        release.set()
