"""`mediawatch rebuild`: projections rebuilt from offset zero equal the live-built ones."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import psycopg
import pytest
from confluent_kafka.admin import AdminClient
from psycopg import sql
from sqlalchemy import text

from mediawatch_api.users.accounts import add_user
from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    AlertLevel,
    AlertRaised,
    DeadLetterRedriven,
    ErrorCode,
    Event,
    Producer,
    ResourceSample,
    Stage,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import (
    EventProducer,
    Topics,
    declare_topics,
    ensure_topics,
    producer_config,
)
from mediawatch_common.replay import HistoryReader
from mediawatch_projector.message_decoding import read_deadletter
from mediawatch_projector.rebuild import Rebuild
from mediawatch_projector.service import Projection, build_loop
from mediawatch_store import connect, make_engine, upgrade
from tests.integration.helpers import running, wait_for

pytestmark = pytest.mark.integration

WHO = Producer(service="transcoder", host="w1", pid=7)
CLAIM = uuid.uuid4()
# Columns set at projection time, not from events: they differ between any two projections.
VOLATILE = {"consumer_positions": {"updated_at"}, "alerts": {"change_seq"}}


def _plain(value: Any) -> Any:
    # Sums of the same durations added in another order differ in the last bits.
    return round(value, 6) if isinstance(value, float) else value


def _differences(got: dict[str, list[Any]], want: dict[str, list[Any]]) -> list[str]:
    """Per table, the rows only one side has (a readable failure message)."""
    found = []
    for table in sorted(set(got) | set(want)):
        mine, theirs = got.get(table, []), want.get(table, [])
        if mine != theirs:
            extra = [r for r in mine if r not in theirs][:2]
            missing = [r for r in theirs if r not in mine][:2]
            found.append(f"{table}: {len(mine)} vs {len(theirs)} rows; only rebuilt {extra}; "
                         f"only reference {missing}")  # fmt: skip
    return found


def _history(count: int, label: str = "s") -> list[Event]:
    start = datetime.now(UTC) - timedelta(hours=1)
    failure = StageOutcome(Stage.MERGING, ErrorCode.FFMPEG_FAILED, "FFmpeg process failed")
    events: list[Event] = []
    for n in range(count):
        when = start + timedelta(seconds=20 * n)
        broken = failure if n % 4 == 0 else None
        events += synthetic_session(f"{label}{n}", f"u{n % 3}", when, WHO, failure=broken)
    events.append(AlertRaised(producer=WHO, alert_id=f"alert_1_{label}", fingerprint=f"fp-{label}",
                              rule="processing_failed", level=AlertLevel.ERROR,
                              title="Processing Failed: merging", message="Session s0 failed",
                              session_id=f"{label}0", user_id="u0", stage=Stage.MERGING,
                              starts_at=start))  # fmt: skip
    return events


def _produce(bootstrap: str, topics: Topics, events: list[Event]) -> None:
    producer = EventProducer(producer_config(bootstrap, "test-rebuild"))
    for event in events:
        topic = topics.pipeline
        if isinstance(event, ResourceSample):
            topic = topics.resources
        elif isinstance(event, AlertRaised):
            topic = topics.alerts
        producer.produce(topic.name, encode_event(event), key=getattr(event, "session_id", "h"))
    producer.flush()


def _snapshot(url: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of ``schema``, rows sorted, volatile columns left out."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name <> 'alembic_version' ORDER BY 1", (schema,))]  # fmt: skip
        found = {}
        for table in tables:
            columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s ORDER BY ordinal_position", (schema, table))
                if r[0] not in VOLATILE.get(table, set())]  # fmt: skip
            query = sql.SQL("SELECT {} FROM {}.{}").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.Identifier(schema), sql.Identifier(table))  # fmt: skip
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(query).fetchall()]
            found[table] = sorted(rows, key=repr)
    return found


@pytest.fixture
def world(bootstrap: str, admin: AdminClient, database_url: str) -> Iterator[tuple[Topics, str]]:
    prefix = f"rebuildtest{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(admin, topics.all(), 1, 1)
    schema = f"rb_{uuid.uuid4().hex[:8]}"
    yield topics, schema
    admin.delete_topics([t.name for t in topics.all()])
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in (schema, f"{schema}_rebuild"):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _project_live(url: str, schema: str, bootstrap: str, topics: Topics, group: str,
                  expected: int) -> None:  # fmt: skip
    projection = Projection(functools.partial(connect, url, schema), group)
    names = [t.name for t in topics.all() if t is not topics.deadletter]
    loop = build_loop(projection, bootstrap, names, topics.deadletter.name, group, 500)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: projection.written >= expected, timeout=120), (
            f"projected {projection.written} of {expected}"
        )
    finally:
        loop.stop()
        thread.join(timeout=30)
        projection.close()


def test_rebuilt_tables_equal_the_live_built_ones_row_for_row(
    bootstrap: str, database_url: str, world: tuple[Topics, str]
) -> None:
    topics, schema = world
    events = _history(24)
    _produce(bootstrap, topics, events)
    group = "projector-under-test"
    upgrade(database_url, schema)
    _project_live(database_url, schema, bootstrap, topics, group, len(events))
    engine = make_engine(database_url, schema, pool_size=1)
    with engine.begin() as conn:
        add_user(conn, "ops", "a long enough password", "admin")
        conn.execute(text("INSERT INTO ingest_claims VALUES (:c, 'produced', now())"),
                     {"c": CLAIM})  # fmt: skip
        conn.execute(text("INSERT INTO ingest_event_ids VALUES (:e, :c, now())"),
                     {"e": uuid.uuid4(), "c": CLAIM})  # fmt: skip
    engine.dispose()
    live = _snapshot(database_url, schema)
    assert len(live["stage_runs"]) > 100
    assert len(live["users"]) == 1
    assert len(live["ingest_event_ids"]) == 1

    served: list[object] = []
    stop = threading.Event()

    def keep_serving() -> None:  # what the API does meanwhile: read the live schema
        while not stop.is_set():
            with connect(database_url, schema) as conn:
                row = conn.execute("SELECT count(*) FROM stage_runs").fetchone()
                served.append(row[0] if row else -1)

    reader_thread = threading.Thread(target=keep_serving)
    reader_thread.start()
    reader = HistoryReader(bootstrap, decode_event)
    try:
        names = [t.name for t in topics.all() if t is not topics.deadletter]
        report = Rebuild(database_url, schema, group, names, reader).run()
    finally:
        reader.close()
        stop.set()
        reader_thread.join(timeout=30)

    print(f"rebuilt {report.events} events in {report.seconds:.2f}s")
    assert report.events == len(events)
    assert not _differences(_snapshot(database_url, schema), live)
    assert served, "nothing was read while rebuilding"
    assert set(served) == {len(live["stage_runs"])}, "readers saw a partial or empty projection"


def test_a_live_projector_carries_on_in_the_rebuilt_schema_without_loss_or_duplicates(
    bootstrap: str, database_url: str, world: tuple[Topics, str]
) -> None:
    topics, schema = world
    group = "projector-under-test"
    names = [t.name for t in topics.all() if t is not topics.deadletter]
    first, second, third = _history(12, "a"), _history(12, "b"), _history(10, "c")
    _produce(bootstrap, topics, first)
    upgrade(database_url, schema)
    projection = Projection(functools.partial(connect, database_url, schema), group)
    loop = build_loop(projection, bootstrap, names, topics.deadletter.name, group, 200)
    live = threading.Thread(target=loop.run, daemon=True)
    live.start()
    reader = HistoryReader(bootstrap, decode_event)
    try:
        assert wait_for(lambda: projection.written >= len(first), timeout=120)
        _produce(bootstrap, topics, second)  # arrives while the rebuild runs
        Rebuild(database_url, schema, group, names, reader).run()
        _produce(bootstrap, topics, third)  # after the switch: into the rebuilt schema
        total = len(first) + len(second) + len(third)
        with_rows = lambda: _count(database_url, schema) >= total  # noqa: E731
        assert wait_for(with_rows, timeout=120), f"{_count(database_url, schema)} of {total}"
    finally:
        reader.close()
        loop.stop()
        live.join(timeout=30)
        projection.close()

    reference = f"{schema}_ref"
    upgrade(database_url, reference)
    try:
        _project_live(database_url, reference, bootstrap, topics, group, total)
        got, want = _snapshot(database_url, schema), _snapshot(database_url, reference)
        assert not _differences(got, want)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(reference)))


def _count(url: str, schema: str) -> int:
    """Events projected into ``schema`` (pipeline events plus alerts)."""
    with connect(url, schema) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pipeline_events) + (SELECT count(*) FROM alerts)"
            " + (SELECT count(*) FROM resource_samples)"
        ).fetchone()
    return int(cast("int", row[0])) if row else 0


def test_dead_letters_and_their_redrives_are_rebuilt_like_the_live_ones(
    bootstrap: str, database_url: str, world: tuple[Topics, str]
) -> None:
    topics, schema = world
    producer = EventProducer(producer_config(bootstrap, "test-rebuild-poison"))
    for value in (b"poison, not avro at all", b"\xc3\x01" + b"\x00" * 8 + b"unknown"):
        producer.produce(topics.pipeline.name, value, key="s0")
    producer.flush()
    events = _history(4)
    _produce(bootstrap, topics, events)
    group = "projector-under-test"
    upgrade(database_url, schema)
    projection = Projection(functools.partial(connect, database_url, schema), group)
    names = [t.name for t in topics.all()]
    loop = build_loop(projection, bootstrap, names, topics.deadletter.name, group, 500)
    marked = "SELECT count(*) FROM dead_letters WHERE redriven_at IS NOT NULL"
    with running(loop):
        assert wait_for(lambda: _count_sql(database_url, schema, "dead_letters") == 2, 60)
        partition, offset = _first_dead_letter(database_url, schema)
        redriven = DeadLetterRedriven(
            producer=WHO,
            deadletter_partition=partition,
            deadletter_offset=offset,
            origin_topic=topics.pipeline.name,
        )
        producer.produce(topics.deadletter.name, encode_event(redriven), key="s0")
        producer.flush()
        assert wait_for(lambda: _count_sql(database_url, schema, marked) == 1, 60)
    projection.close()
    live = _snapshot(database_url, schema)

    whole = cast(Any, read_deadletter(decode_event))
    reader = HistoryReader(bootstrap, decode_event, {topics.deadletter.name: whole})
    try:
        Rebuild(database_url, schema, group, names, reader).run()
    finally:
        reader.close()
    rebuilt = _snapshot(database_url, schema)
    assert not _differences(rebuilt, live)
    reasons = sorted(row[8] for row in rebuilt["dead_letters"])
    assert reasons == ["DecodeError: bad_marker", "DecodeError: unknown_fingerprint"]


def _first_dead_letter(url: str, schema: str) -> tuple[int, int]:
    with psycopg.connect(url, options=f"-csearch_path={schema}") as conn:
        row = conn.execute('SELECT partition, "offset" FROM dead_letters ORDER BY 1, 2').fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _count_sql(url: str, schema: str, what: str) -> int:
    query = what if what.startswith("SELECT") else f"SELECT count(*) FROM {what}"
    with psycopg.connect(url, options=f"-csearch_path={schema}") as conn:
        row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0
