"""A consumer added with the kit back-fills from history that producers wrote before it existed."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.consumer_kit import run_consumer
from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    ErrorCode,
    Producer,
    Stage,
    StageCompleted,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, declare_topics, ensure_topics, producer_config
from mediawatch_common.settings import Settings, load_settings
from mediawatch_cost_report import CostLedger
from mediawatch_cost_report.consumer import cost_report

from .helpers import read_raw, wait_for

pytestmark = pytest.mark.integration

WHO = Producer(service="transcoder", host="w1", pid=7)


@pytest.fixture
def prefixed(bootstrap: str, admin: AdminClient) -> Iterator[Settings]:
    prefix = f"kittest{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(admin, topics.all(), 1, 1)
    yield load_settings({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                         "KAFKA_TOPIC_PREFIX": prefix})  # fmt: skip
    admin.delete_topics([t.name for t in topics.all()])


def test_new_consumer_back_fills_the_existing_history(
    prefixed: Settings, bootstrap: str, tmp_path: Path
) -> None:
    pipeline = declare_topics(prefixed.kafka.topic_prefix).pipeline.name
    failure = StageOutcome(Stage.COMPRESSION, ErrorCode.TIMEOUT_ERROR, "took too long")
    history = [
        *synthetic_session("s1", "alice", datetime(2026, 11, 1, tzinfo=UTC), WHO),
        *synthetic_session("s2", "bob", datetime(2026, 11, 2, tzinfo=UTC), WHO, failure=failure),
    ]
    producer = EventProducer(producer_config(bootstrap, "test-kit"))
    for event in history:
        producer.produce(pipeline, encode_event(event), key=getattr(event, "session_id", "h"))
    producer.produce(pipeline, b"not an event", key="junk")
    producer.flush()

    # The consumer is written only now, after the producers were done.
    expected = CostLedger()
    for event in history:
        if isinstance(event, StageCompleted):
            expected.add(event)
    ledger, report = CostLedger(), tmp_path / "cost.json"
    stop = threading.Event()
    worker = threading.Thread(
        target=run_consumer, args=(cost_report(ledger, report), prefixed, stop.is_set), daemon=True
    )
    worker.start()
    try:
        assert wait_for(lambda: ledger.rows() == expected.rows(), timeout=30)
        assert wait_for(
            lambda: report.exists() and len(json.loads(report.read_text())) == len(expected.rows())
        )
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()

    rows = {(r["user_id"], r["stage"]): r for r in json.loads(report.read_text())}
    assert rows[("bob", "compression")]["failures"] == 1
    assert ("bob", "storage_upload") not in rows  # the failed session never got there
    dead = read_raw(bootstrap, declare_topics(prefixed.kafka.topic_prefix).deadletter.name, 1)
    assert [m.value() for m in dead] == [b"not an event"]
    group = dict(dead[0].headers() or [])["mw-consumer-group"]
    assert isinstance(group, bytes)
    assert group.endswith(b".cost-report")


def test_the_kit_skips_event_types_nobody_asked_for(prefixed: Settings, bootstrap: str) -> None:
    from mediawatch_common.consumer_kit import Consumer

    pipeline = declare_topics(prefixed.kafka.topic_prefix).pipeline.name
    events = synthetic_session("s3", "carol", datetime(2026, 11, 3, tzinfo=UTC), WHO)
    producer = EventProducer(producer_config(bootstrap, "test-kit-2"))
    for event in events:
        producer.produce(pipeline, encode_event(event), key="s3")
    producer.flush()
    seen: list[StageCompleted] = []
    stop = threading.Event()
    consumer = Consumer(name=f"only-completed-{uuid.uuid4().hex[:6]}", topics=("pipeline",),
                        handlers={StageCompleted: seen.append}, start="earliest")  # fmt: skip
    worker = threading.Thread(target=run_consumer, args=(consumer, prefixed, stop.is_set))
    worker.start()
    try:
        assert wait_for(lambda: len(seen) == 7)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert [e.stage for e in seen] == list(Stage)
    assert all(type(decode_event(encode_event(e))) is StageCompleted for e in seen)
