"""A poison message end to end: dead-lettered, listed, shown, refused by ``redrive`` while it
still fails to decode, re-driven once its consumer can read it, then processed exactly once.

The poison is a ``StageCompleted`` from a newer producer whose writer schema (``v99``, one more
field with a default) the consumer does not know yet; the fix is that release reaching the
consumer's schema directory, as an upgrade would bring it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from confluent_kafka import Consumer as KafkaConsumer
from confluent_kafka.admin import AdminClient
from fastavro import schemaless_writer

from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.avro.framing import frame
from mediawatch_common.cli import main
from mediawatch_common.consumer_kit import Consumer, run_consumer
from mediawatch_common.deadletters import REDRIVEN_FROM
from mediawatch_common.events import (
    DeadLetterRedriven,
    Producer,
    Stage,
    StageCompleted,
    decode_event,
    encode_event,
    to_record,
    utc_now,
)
from mediawatch_common.kafka import (
    EventProducer,
    declare_topics,
    ensure_topics,
    producer_config,
    watermarks,
)
from mediawatch_common.settings import Settings, load_settings

from ..helpers import read_raw, wait_for

pytestmark = pytest.mark.integration

REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "avro"
STAGE_COMPLETED = "io.mediawatch.events.StageCompleted.avsc"
WHO = Producer(service="transcoder", host="w1", pid=7)


def completed(session: str) -> StageCompleted:
    return StageCompleted(producer=WHO, session_id=session, user_id="u", stage=Stage.UPLOAD,
                          attempt=1, started_at=utc_now(), success=True,
                          duration_seconds=1.5)  # fmt: skip


def newer_release(root: Path) -> Path:
    """A ``released/v99`` whose StageCompleted has one more field, with a default."""
    target = root / "v99"
    target.mkdir(parents=True)
    for path in REPO_SCHEMAS.glob("*.avsc"):
        shutil.copy(path, target / path.name)
    schema = json.loads((target / STAGE_COMPLETED).read_text())
    schema["fields"].append({"name": "gpu", "type": "string", "default": "", "doc": "GPU used."})
    (target / STAGE_COMPLETED).write_text(json.dumps(schema))
    return target


def encode_newer(release: Path, event: StageCompleted) -> bytes:
    scratch = release.parent / "registry"
    shutil.copytree(REPO_SCHEMAS, scratch, ignore=shutil.ignore_patterns("released"))
    shutil.copytree(release, scratch / "released" / "v99")
    versions = SchemaRegistry(scratch).versions("StageCompleted")
    newer = next(v for v in versions if v.version == "v99")
    body = io.BytesIO()
    schemaless_writer(body, newer.schema, {**to_record(event), "gpu": "a100"})
    return frame(newer.fingerprint, body.getvalue())


@pytest.fixture
def setup(bootstrap: str, admin: AdminClient, tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    prefix = f"dlqtest{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=1)
    ensure_topics(admin, topics.all(), 1, 1)
    schemas = tmp_path / "avro"
    shutil.copytree(REPO_SCHEMAS, schemas)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix,
           "MEDIAWATCH_SCHEMA_DIR": str(schemas), "LOG_DIR": str(tmp_path / "logs"),
           "LOG_CONSOLE": "false"}  # fmt: skip
    yield load_settings(env), schemas
    admin.delete_topics([t.name for t in topics.all()])


def cli(settings: Settings, *args: str) -> Result:
    env = {"KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
           "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix, "LOG_CONSOLE": "false",
           "MEDIAWATCH_SCHEMA_DIR": str(settings.paths.schema_dir)}  # fmt: skip
    return CliRunner().invoke(main, list(args), env=env)


def run_until(settings: Settings, consumer: Consumer, done: Any) -> None:
    """Run ``consumer`` on a thread until ``done()`` holds; the test fails if it never does."""
    stop = threading.Event()
    worker = threading.Thread(target=run_consumer, args=(consumer, settings, stop.is_set))
    worker.start()
    try:
        assert wait_for(done, timeout=60)
    finally:
        stop.set()
        worker.join(timeout=30)


def test_poison_is_listed_shown_refused_then_redriven_and_processed_once(
    setup: tuple[Settings, Path], bootstrap: str, tmp_path: Path
) -> None:
    settings, schemas = setup
    topics = declare_topics(settings.kafka.topic_prefix)
    pipeline, dead = topics.pipeline.name, topics.deadletter.name
    release = newer_release(tmp_path / "newer")
    poison, good = completed("s-poison"), completed("s-good")
    producer = EventProducer(producer_config(bootstrap, "test-dlq"))
    producer.produce(pipeline, encode_newer(release, poison), key="s-poison")
    producer.produce(pipeline, encode_event(good), key="s-good")
    producer.flush()

    seen: Counter[str] = Counter()
    group = f"dlqtest-{uuid.uuid4().hex[:6]}"
    count = lambda e: seen.update([e.session_id])  # noqa: E731
    consumer = Consumer(name=group, topics=["pipeline"], start="earliest",
                        handlers={StageCompleted: count})  # fmt: skip
    full_group = f"{settings.kafka.topic_prefix}.{group}"
    run_until(settings, consumer, lambda: seen["s-good"] and watermarks_of(bootstrap, dead) == 1)
    assert seen == Counter({"s-good": 1})

    listed = cli(settings, "deadletters", "list", "--json")
    assert listed.exit_code == 0, listed.output
    (line,) = [json.loads(x) for x in listed.stdout.splitlines()]
    assert (line["position"], line["origin_topic"], line["consumer_group"]) == (
        "0:0", pipeline, full_group)  # fmt: skip
    assert line["reason_class"] == "DecodeError: unknown_fingerprint"
    assert line["redriven"] == []
    for flags in (["--topic", "alerts"], ["--reason", "bad_marker"], ["--group", "other"],
                  ["--since", "2099-01-01T00:00Z"]):  # fmt: skip
        none = cli(settings, "deadletters", "list", "--json", *flags)
        assert none.exit_code == 0, none.output
        assert none.stdout == "", flags
    assert cli(settings, "deadletters", "list", "--json", "--topic", "pipeline").stdout

    shown = cli(settings, "deadletters", "show", "0")
    assert shown.exit_code == 0, shown.output
    assert f"mw-origin-topic: {pipeline}" in shown.stdout
    assert "fails: DecodeError: unknown_fingerprint" in shown.stdout
    assert "status       pending" in shown.stdout

    refused = cli(settings, "deadletters", "redrive", "0")
    assert refused.exit_code == 1
    assert "refused   0:0" in refused.stdout
    assert "still fails to decode" in refused.stdout
    assert watermarks_of(bootstrap, pipeline) == 2
    assert watermarks_of(bootstrap, dead) == 1

    shutil.copytree(release, schemas / "released" / "v99")  # the consumer's fix
    assert "decodes as StageCompleted" in cli(settings, "deadletters", "show", "0").stdout
    sent = cli(settings, "deadletters", "redrive", "0", "--actor", "tester")
    assert sent.exit_code == 0, sent.output
    assert "1 sent, 0 refused" in sent.stdout

    fixed = load_settings({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                           "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
                           "MEDIAWATCH_SCHEMA_DIR": str(schemas)})  # fmt: skip
    run_until(fixed, consumer, lambda: seen["s-poison"] >= 1)
    assert seen == Counter({"s-good": 1, "s-poison": 1})

    copy = read_raw(bootstrap, pipeline, 3)[2]
    assert dict(copy.headers() or [])[REDRIVEN_FROM] == f"{dead}:0@0".encode()
    recorded = decode_event(read_raw(bootstrap, dead, 2)[1].value() or b"")
    assert isinstance(recorded, DeadLetterRedriven)
    assert (recorded.origin_topic, recorded.redriven_offset, recorded.actor, recorded.forced) == (
        pipeline, 2, "tester", False)  # fmt: skip

    again = cli(settings, "deadletters", "redrive", "--topic", "pipeline")
    assert again.exit_code == 1
    assert "already re-driven" in again.stdout
    assert watermarks_of(bootstrap, pipeline) == 3
    pending = cli(settings, "deadletters", "list", "--json", "--pending")
    assert pending.exit_code == 0
    assert pending.stdout == ""

    replayed = cli(settings, "replay", "--topic", "deadletter", "--from-beginning", "--json")
    assert replayed.exit_code == 0, replayed.output
    types = [json.loads(x)["type"] for x in replayed.stdout.splitlines()]
    assert types == ["DeadLetter", "DeadLetterRedriven"]


def watermarks_of(bootstrap: str, topic: str) -> int:
    """The high watermark of partition 0 of ``topic``: how many messages it holds."""
    probe = KafkaConsumer({"bootstrap.servers": bootstrap, "group.id": "probe"})
    try:
        return watermarks(probe, topic, 0)[1]
    finally:
        probe.close()
