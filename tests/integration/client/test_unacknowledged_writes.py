"""Messages Kafka wrote without acknowledging them are not sent again from the spool.

A broker can write a batch and go away before it answers; the client then hears that the
delivery timed out and spools the batch. These tests lose real acknowledgements of a real
broker (the messages are written, the sender is told they timed out) and read the topic back.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError, Producer

from mediawatch_client import ProcessingStage
from mediawatch_client.contract import event_schema
from mediawatch_client.event_builders import producer, stage_started, stamped
from mediawatch_client.outgoing import Flushed
from mediawatch_client.sender import Sender
from mediawatch_client.spool import Message, Spool
from mediawatch_client.unconfirmed import FILE_NAME, Unconfirmed
from mediawatch_common.events import StageStarted, decode_event
from mediawatch_common.replay import HistoryReader

pytestmark = pytest.mark.integration

STARTED = event_schema("StageStarted")
SESSIONS = 8


class LosingAcknowledgements:
    """A real producer whose first ``lose`` acknowledgements go missing: Kafka writes those
    messages, and the caller is told their delivery timed out."""

    def __init__(self, config: dict[str, Any], lose: int) -> None:
        self._producer = Producer(config)
        self._lose = lose

    def produce(self, topic: str, value: bytes, key: bytes, on_delivery: Any) -> None:
        callback = on_delivery
        if self._lose > 0:
            self._lose -= 1

            def callback(_err: KafkaError | None, msg: Any) -> None:
                on_delivery(KafkaError(KafkaError._MSG_TIMED_OUT), msg)

        self._producer.produce(topic, value, key, on_delivery=callback)

    def __len__(self) -> int:
        return len(self._producer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._producer, name)


def _record(n: int) -> tuple[str, dict[str, Any]]:
    session = f"s{n % SESSIONS}"
    record = stage_started(
        source=producer("unacknowledged-test", "host", 1),
        session_id=session,
        user_id="u",
        stage=ProcessingStage.MERGING,
        attempt=n // SESSIONS + 1,
        at=time.time_ns() // 1000,
        metadata={},
    )
    return session, record


def _sender(
    bootstrap: str, spool_dir: Path, make_producer: Callable[[dict[str, Any]], Any]
) -> Sender:
    return Sender(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"},
        lambda: Spool(spool_dir, 1 << 26),
        queue_size=10_000,
        delivery_timeout=5.0,
        retry_interval=0.2,
        make_producer=make_producer,
    )


def _acknowledged(sender: Sender, timeout: float = 30.0) -> Flushed:
    """Flush until Kafka acknowledged everything (each flush tries the spool once)."""
    deadline = time.monotonic() + timeout
    outcome = sender.flush().wait(timeout)
    while not outcome.acknowledged and time.monotonic() < deadline:
        time.sleep(0.2)
        outcome = sender.flush().wait(max(0.1, deadline - time.monotonic()))
    return outcome


def _read(bootstrap: str, topic: str) -> list[StageStarted]:
    reader = HistoryReader(bootstrap, decode_event)
    try:
        events = [record.event for record in reader.read([topic], None, None)]
    finally:
        reader.close()
    assert all(isinstance(e, StageStarted) for e in events)
    return events  # type: ignore[return-value]


def _assert_once_in_order(events: list[StageStarted], count: int) -> None:
    ids = Counter(str(e.event_id) for e in events)
    assert len(events) == len(ids) == count, f"{len(events)} read, {len(ids)} distinct"
    per_session: dict[str, list[int]] = {}
    for event in events:
        per_session.setdefault(event.session_id, []).append(event.attempt)
    assert all(a == sorted(a) for a in per_session.values()), per_session


def test_a_batch_written_without_acknowledgement_is_not_sent_twice(
    bootstrap: str, new_topic: Callable[..., str], tmp_path: Path
) -> None:
    topic = new_topic("client-acks", partitions=3)
    sender = _sender(bootstrap, tmp_path, lambda c: LosingAcknowledgements(c, lose=7))
    try:
        for n in range(40):
            session, record = _record(n)
            assert sender.submit((STARTED, topic, session, record))
        outcome = _acknowledged(sender)
    finally:
        sender.close(10)
    assert outcome.acknowledged, outcome
    assert sender.counters.spooled >= 7  # what was lost, and what came behind it
    assert sender.counters.sent == 40
    _assert_once_in_order(_read(bootstrap, topic), 40)
    assert not (tmp_path / FILE_NAME).exists()


def test_a_restart_skips_spooled_messages_kafka_wrote_before_the_crash(
    bootstrap: str, new_topic: Callable[..., str], tmp_path: Path
) -> None:
    """What a process killed after the lost acknowledgements leaves: the whole batch in its
    spool, the written part noted as unconfirmed."""
    topic = new_topic("client-restart", partitions=3)
    since_ms = time.time_ns() // 1_000_000
    messages = []
    for n in range(20):
        session, record = _record(n)
        messages.append(Message(topic, session.encode(), STARTED.encode(stamped(record))))
    partitions: dict[bytes | None, int | None] = {}
    written = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for message in messages[:6]:
        written.produce(
            topic, message.value, message.key,
            on_delivery=lambda _e, m: partitions.__setitem__(m.value(), m.partition()),
        )  # fmt: skip
    assert written.flush(10) == 0
    assert all(isinstance(p, int) for p in partitions.values())
    spool = Spool(tmp_path, 1 << 26)
    spool.append(messages)
    spool.close()
    notes = Unconfirmed(tmp_path / FILE_NAME)
    for message in messages[:6]:
        notes.suspect(topic, int(partitions[message.value] or 0), since_ms, message.value)
    notes.suspect(topic, 0, since_ms, messages[6].value)  # failed, but never written
    notes.save()

    sender = _sender(bootstrap, tmp_path, Producer)
    try:
        outcome = _acknowledged(sender)
    finally:
        sender.close(10)
    assert outcome.acknowledged, outcome
    assert sender.counters.sent == 20
    _assert_once_in_order(_read(bootstrap, topic), 20)
    assert not (tmp_path / FILE_NAME).exists()
