"""POST /api/v1/events through two API instances sharing one schema: an event id reaches the
topic once, a failed produce releases its claims, a stale claim is taken over."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from confluent_kafka import Consumer, Message, TopicPartition
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from mediawatch_api.ingest import ClaimStore, EventIdPruner, NotAppendedError, OnceAppender
from mediawatch_api.settings import ApiSettings
from mediawatch_api.web import EventLog, Services, build_services, create_app
from mediawatch_common.events import Producer, Stage, StageStarted, decode_event
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings
from mediawatch_common.storage import StorageSettings
from tests.integration.api.conftest import SECRET
from tests.integration.api.helpers import login
from tests.integration.helpers import read_raw

pytestmark = pytest.mark.integration

URL = "/api/v1/events"


def batch(n: int) -> list[dict[str, Any]]:
    """``n`` stage starts with ids of their own, one session each."""
    return [
        {"type": "StageStarted", "event_id": str(uuid.uuid4()), "session_id": f"once_{i}",
         "user_id": "u", "stage": "MERGING", "video_count": 1}
        for i in range(n)
    ]  # fmt: skip


def on_topic(bootstrap: str, topic: str) -> list[str]:
    """The event ids of every message of the one-partition ``topic``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"count-{topic}"})
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    finally:
        consumer.close()
    messages: list[Message] = read_raw(bootstrap, topic, high, timeout=10)
    assert len(messages) == high
    return [str(decode_event(m.value() or b"").event_id) for m in messages]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sibling(services: Services, **changes: Any) -> Services:
    """A copy of ``services`` (without what it built lazily) with ``changes``."""
    return dataclasses.replace(services, **changes)


@pytest.fixture
def other(
    service_settings: Settings,
    api_settings: ApiSettings,
    storage_settings: StorageSettings,
    database_url: str,
    schema: str,
) -> Iterator[Services]:
    """A second API instance: its own engine and producer, the same schema and topics."""
    built = build_services(
        service_settings, api_settings, database_url, f"test-projector-{schema}", storage_settings
    )
    yield built
    built.health.close()
    built.engine.dispose()


@pytest.fixture
def other_client(other: Services) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(other, SECRET)) as test_client:
        yield test_client


def claims(services: Services) -> dict[str, str]:
    """Each id in the claims table and its state."""
    with services.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT event_id, coalesce(p.state, 'unconfirmed') "
            "FROM ingest_event_ids LEFT JOIN ingest_claims p USING (claim)"))  # fmt: skip
        return {str(event_id): state for event_id, state in rows}


def hold(services: Services, event_id: Any, age_seconds: float, state: str = "claimed") -> None:
    """Make another request's claim, ``age_seconds`` old, hold ``event_id``."""
    claim = uuid.uuid4()
    with services.engine.begin() as conn:
        for statement in (
            "INSERT INTO ingest_claims VALUES (:c, :s, now() - make_interval(secs => :age))",
            "INSERT INTO ingest_event_ids VALUES (:id, :c, now() - make_interval(secs => :age))",
        ):
            conn.execute(text(statement),
                         {"id": event_id, "c": claim, "s": state, "age": age_seconds})  # fmt: skip


def test_two_instances_given_the_same_batch_append_each_event_once(
    client: TestClient[Litestar],
    other_client: TestClient[Litestar],
    services: Services,
    topics: Topics,
    bootstrap: str,
) -> None:
    headers = login(client, services, "go-pipeline", "producer")
    events = batch(200)
    ids = [e["event_id"] for e in events]
    events.append(events[0])  # also twice within the batch
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda c: c.post(URL, json={"events": events}, headers=headers),
                     [client, other_client, client, other_client])
        )  # fmt: skip
    assert [a.status_code for a in answers] == [202] * 4, [a.text for a in answers]
    assert all(a.json()["accepted"] == ids for a in answers)
    assert all(a.json()["duplicates"][-1] == ids[0] for a in answers)
    # Every id appended by exactly one of the four requests, a duplicate in the other three.
    assert sum(len(a.json()["duplicates"]) - 1 for a in answers) == 3 * len(ids)
    assert sorted(on_topic(bootstrap, topics.pipeline.name)) == sorted(ids)
    assert set(claims(services).values()) == {"produced"}


def test_a_failed_produce_releases_its_claims_and_a_retry_elsewhere_appends_once(
    client: TestClient[Litestar],
    services: Services,
    topics: Topics,
    bootstrap: str,
) -> None:
    unreachable = f"127.0.0.1:{closed_port()}"
    config = producer_config(unreachable, "test-down", {"delivery.timeout.ms": 1000})
    broken = sibling(services, events=EventLog(EventProducer(config), topics))
    events = batch(20)
    ids = [e["event_id"] for e in events]
    with TestClient(app=create_app(broken, SECRET)) as down:
        headers = login(down, broken, "go-pipeline", "producer")
        refused = down.post(URL, json={"events": events}, headers=headers)
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5"
    assert claims(services) == {}

    retried = client.post(URL, json={"events": events}, headers=headers)
    assert retried.status_code == 202, retried.text
    assert retried.json() == {"accepted": ids, "duplicates": []}
    assert on_topic(bootstrap, topics.pipeline.name) == ids


def test_a_stale_claim_is_taken_over_and_a_live_one_is_waited_for(
    client: TestClient[Litestar], services: Services, topics: Topics, bootstrap: str
) -> None:
    headers = login(client, services, "go-pipeline", "producer")
    stale, produced_elsewhere, released, fresh = events = batch(4)
    for event, age in [(stale, 3600), (produced_elsewhere, 0), (released, 0)]:
        hold(services, event["event_id"], age)

    def the_other_request_settles() -> None:
        # Once the request took the stale claim over, it waits for the two live ones.
        taken = text("SELECT claimed_at > now() - interval '1 minute' FROM ingest_event_ids "
                     "WHERE event_id = :id")  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with services.engine.connect() as conn:
                if conn.execute(taken, {"id": stale["event_id"]}).scalar_one():
                    break
            time.sleep(0.02)
        with services.engine.begin() as conn:
            conn.execute(text("UPDATE ingest_claims SET state = 'produced' WHERE claim = "
                              "(SELECT claim FROM ingest_event_ids WHERE event_id = :id)"),
                         {"id": produced_elsewhere["event_id"]})  # fmt: skip
            conn.execute(text("DELETE FROM ingest_event_ids WHERE event_id = :id"),
                         {"id": released["event_id"]})  # fmt: skip

    settler = threading.Thread(target=the_other_request_settles)
    settler.start()
    answer = client.post(URL, json={"events": events}, headers=headers)
    settler.join()
    assert answer.status_code == 202, answer.text
    ids = [e["event_id"] for e in events]
    assert answer.json() == {"accepted": ids, "duplicates": [produced_elsewhere["event_id"]]}
    assert on_topic(bootstrap, topics.pipeline.name) == [
        stale["event_id"], fresh["event_id"], released["event_id"]
    ]  # fmt: skip
    assert set(claims(services).values()) == {"produced"}


def test_a_claim_held_past_the_wait_answers_not_appended(services: Services) -> None:
    event_id = uuid.uuid4()
    hold(services, event_id, 0)
    appender = OnceAppender(ClaimStore(services.engine, 30.0), services.events.deliver, 0.3)
    who = Producer(service="t", host="h", pid=1)
    event = StageStarted(producer=who, event_id=event_id, session_id="s", user_id="u",
                         stage=Stage.MERGING, video_count=1)  # fmt: skip
    began = time.monotonic()
    with pytest.raises(NotAppendedError):
        appender.append([(services.events.topics.pipeline.name, "s", event)])
    assert 0.3 <= time.monotonic() - began < 5


def test_ids_past_the_retention_are_pruned_in_small_batches(services: Services) -> None:
    for age_hours in [1] * 7 + [30] * 7:
        hold(services, uuid.uuid4(), age_hours * 3600.0, "produced")
    pruner = EventIdPruner(ClaimStore(services.engine, 30.0), 24 * 3600.0, batch=3)
    assert pruner.prune() == 14  # 7 ids and their 7 claims
    kept = claims(services)
    assert len(kept) == 7
    assert set(kept.values()) == {"produced"}
    with services.engine.connect() as conn:
        oldest = conn.execute(text("SELECT max(now() - claimed_at) FROM ingest_claims"))
        assert oldest.scalar_one().total_seconds() < 2 * 3600
