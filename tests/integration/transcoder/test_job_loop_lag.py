"""The job loop's lag while every slot is busy: jobs queued meanwhile show as lag."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from mediawatch_common.events import Event, decode_event, encode_event
from mediawatch_common.kafka import (
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    producer_config,
)
from mediawatch_transcoder.job_loop import JobLoop

from ..helpers import wait_for
from ..test_consumer_loop import _completed

pytestmark = pytest.mark.integration

QUEUED = 5


def _lag(loop: JobLoop, topic: str) -> int | None:
    return next((p.lag for p in loop.lag() if (p.topic, p.partition) == (topic, 0)), None)


def test_jobs_queued_behind_a_busy_worker_show_as_lag(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("jobs"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-busy-lag"))
    started = threading.Event()
    release = threading.Event()

    def hold(_record: Record[Event]) -> None:
        started.set()
        release.wait(30)

    group = f"g-{topic}"
    loop = JobLoop(
        consumer_config(bootstrap, group),
        topic,
        decode_event,
        hold,
        DeadLetters(producer, dlq, group),
        concurrency=1,
        poll_timeout=0.2,
    )
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        producer.produce(topic, encode_event(_completed(0)), key="k")
        producer.flush()
        assert started.wait(20), "first job not started"
        # The loop paused its partition when the job took its only slot; a fetch sent
        # before that may still be waiting on the broker (up to fetch.wait.max.ms, 500 ms).
        # Queue the next jobs once it has come back, so no fetch can carry them.
        time.sleep(1.0)
        for n in range(1, QUEUED + 1):
            producer.produce(topic, encode_event(_completed(n)), key="k")
        producer.flush()
        # The running job's own message counts as read: the queued ones are the lag.
        assert wait_for(lambda: _lag(loop, topic) == QUEUED, timeout=15), loop.lag()
        release.set()
        assert wait_for(lambda: loop.processed == QUEUED + 1, timeout=20)
        assert wait_for(lambda: _lag(loop, topic) == 0, timeout=10), loop.lag()
    finally:
        release.set()
        loop.stop()
        thread.join(timeout=30)
    assert not thread.is_alive(), "job loop did not stop"
