"""The consumer loop against the real broker: dead letters, commits, schema evolution."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.avro import AvroCodec, SchemaRegistry, frame
from mediawatch_common.events import (
    Event,
    Producer,
    Stage,
    StageCompleted,
    decode_event,
    encode_event,
    to_record,
)
from mediawatch_common.kafka import (
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    consumer_config,
    each,
    producer_config,
)

from .helpers import read_raw, running, wait_for

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "avro"
WHO = Producer(service="test", host="h", pid=1)


def _completed(n: int) -> StageCompleted:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return StageCompleted(
        producer=WHO,
        session_id=f"s{n}",
        user_id="u",
        stage=Stage.UPLOAD,
        started_at=now,
        success=True,
        duration_seconds=float(n),
    )


def _loop(
    bootstrap: str,
    topic: str,
    dlq: str,
    group: str,
    seen: list[Record[Event]],
    codec: AvroCodec | None = None,
    synchronous_commit: bool = True,
) -> ConsumerLoop[Event]:
    producer = EventProducer(producer_config(bootstrap, group))
    return ConsumerLoop(
        consumer_config(bootstrap, group),
        [topic],
        lambda data: decode_event(data, codec),
        each(seen.append),
        DeadLetters(producer, dlq, group),
        synchronous_commit=synchronous_commit,
    )


def _produce_completed(bootstrap: str, topic: str, count: int) -> EventProducer:
    """``count`` StageCompleted events (sessions s0, s1...) in ``topic``; the producer."""
    producer = EventProducer(producer_config(bootstrap, f"test-{topic}"))
    for n in range(count):
        producer.produce(topic, encode_event(_completed(n)), key=f"s{n}")
    producer.flush()
    return producer


def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (position,) = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return position.offset
    finally:
        consumer.close()


def test_garbage_goes_to_the_dead_letter_topic_and_consuming_goes_on(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("in"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-dlq"))
    producer.produce(topic, encode_event(_completed(1)), key="s1")
    producer.produce(topic, b"\x00garbage that is no avro", key="bad")
    producer.produce(topic, b"\xc3\x01" + b"\xde\xad\xbe\xef" * 2 + b"body", key="unknown")
    producer.produce(topic, encode_event(_completed(2)), key="s2")
    producer.flush()

    seen: list[Record[Event]] = []
    group = f"g-{topic}"
    with running(_loop(bootstrap, topic, dlq, group, seen)):
        assert wait_for(lambda: len(seen) == 2)
        assert wait_for(lambda: _committed(bootstrap, group, topic) == 4)

    assert [r.event.session_id for r in seen] == ["s1", "s2"]  # type: ignore[union-attr]
    letters = read_raw(bootstrap, dlq, 2)
    assert [m.value() for m in letters] == [
        b"\x00garbage that is no avro",
        b"\xc3\x01" + b"\xde\xad\xbe\xef" * 2 + b"body",
    ]
    headers: list[dict[str, Any]] = [dict(m.headers() or []) for m in letters]
    assert headers[0]["mw-origin-topic"] == topic.encode()
    assert headers[0]["mw-origin-offset"] == b"1"
    assert headers[1]["mw-origin-offset"] == b"2"
    assert headers[0]["mw-consumer-group"] == group.encode()
    assert b"marker" in headers[0]["mw-reason"].lower()
    assert b"deadbeefdeadbeef" in headers[1]["mw-reason"].lower()


def test_failed_handler_is_retried_and_nothing_is_skipped(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("in"), new_topic("dlq")
    producer = _produce_completed(bootstrap, topic, 5)

    calls: list[int] = []
    seen: list[Any] = []

    def flaky(batch: Any) -> None:
        calls.append(len(batch))
        if len(calls) < 3:
            raise ConnectionError("database is down")
        seen.extend(batch)

    group = f"g-{topic}"
    loop: ConsumerLoop[Event] = ConsumerLoop(
        consumer_config(bootstrap, group),
        [topic],
        decode_event,
        flaky,
        DeadLetters(producer, dlq, group),
    )
    with running(loop):
        assert wait_for(lambda: len(seen) == 5)
        assert wait_for(lambda: _committed(bootstrap, group, topic) == 5)
    assert len(calls) >= 3
    assert sorted(r.event.session_id for r in seen) == [f"s{n}" for n in range(5)]


def test_old_writer_is_read_by_the_new_reader(
    bootstrap: str, new_topic: Callable[..., str], tmp_path: Path
) -> None:
    # A schema directory whose released v0 of StageCompleted lacks cpu_percent and peak_memory_mb.
    schema_dir = tmp_path / "avro"
    shutil.copytree(SCHEMAS, schema_dir)
    old_dir = schema_dir / "released" / "v0"
    old_dir.mkdir(parents=True)
    for path in SCHEMAS.glob("*.avsc"):
        shutil.copy(path, old_dir / path.name)
    old_file = old_dir / "io.mediawatch.events.StageCompleted.avsc"
    old = json.loads(old_file.read_text())
    old["fields"] = [f for f in old["fields"] if f["name"] not in {"cpu_percent", "peak_memory_mb"}]
    old_file.write_text(json.dumps(old))

    registry = SchemaRegistry(schema_dir)
    old_writer = next(s for s in registry.versions("StageCompleted") if s.version == "v0")
    codec = AvroCodec(registry)
    record = {
        k: v
        for k, v in to_record(_completed(7)).items()
        if k not in {"cpu_percent", "peak_memory_mb"}
    }
    body = io.BytesIO()
    fastavro.schemaless_writer(body, old_writer.schema, record)
    old_bytes = frame(old_writer.fingerprint, body.getvalue())

    topic, dlq = new_topic("evolve"), new_topic("dlq")
    producer = EventProducer(producer_config(bootstrap, "test-evolve"))
    producer.produce(topic, old_bytes, key="s7")
    producer.flush()
    seen: list[Record[Event]] = []
    with running(_loop(bootstrap, topic, dlq, f"g-{topic}", seen, codec)):
        assert wait_for(lambda: len(seen) == 1)
    event = seen[0].event
    assert isinstance(event, StageCompleted)
    assert event.session_id == "s7"
    assert event.duration_seconds == 7.0
    assert event.cpu_percent is None
    assert event.peak_memory_mb is None


def test_asynchronous_commits_reach_the_broker(
    bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic, dlq = new_topic("in"), new_topic("dlq")
    _produce_completed(bootstrap, topic, 3)

    seen: list[Record[Event]] = []
    group = f"g-{topic}"
    with running(_loop(bootstrap, topic, dlq, group, seen, synchronous_commit=False)):
        assert wait_for(lambda: len(seen) == 3)
        assert wait_for(lambda: _committed(bootstrap, group, topic) == 3)
