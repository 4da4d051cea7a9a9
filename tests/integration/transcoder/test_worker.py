"""The worker against the real broker: jobs in, ordered stage events out, attempts, commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    ResourceSample,
    Stage,
    StageCompleted,
    StageStarted,
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
from mediawatch_transcoder.submit import transcode_request
from mediawatch_transcoder.worker import build, serve_in_thread, stop_all

from ..helpers import read_raw, wait_for
from .conftest import fast_settings

pytestmark = pytest.mark.integration

WHO = Producer(service="test", host="h", pid=1)


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    """Every declared topic under a unique prefix, one partition each; deleted after."""
    declared = declare_topics(f"test-tx-{uuid.uuid4().hex[:8]}", partitions=1)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics(
        [t.name for t in declared.all()], operation_timeout=30
    ).values():
        future.result()


def _session_events(bootstrap: str, topic: str, session: str, count: int) -> list[Event]:
    events = [decode_event(m.value() or b"") for m in read_raw(bootstrap, topic, count, timeout=60)]
    return [e for e in events if getattr(e, "session_id", None) == session]


def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (position,) = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return int(position.offset)
    finally:
        consumer.close()


def _pairs(events: list[Event]) -> list[tuple[str, Stage, int]]:
    return [
        (type(e).__name__, e.stage, e.attempt)
        for e in events
        if isinstance(e, StageStarted | StageCompleted)
    ]


def test_worker_records_sessions_in_order_and_commits_after_each(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path)
    worker, loop, sampler = build(settings, bootstrap, topics)
    submitter = EventProducer(producer_config(bootstrap, "test-submit"))
    good = transcode_request(
        [clip_dir / "landscape.mp4", clip_dir / "portrait.mp4", clip_dir / "silent.mp4"],
        "user_456",
        WHO,
        f"ok-{uuid.uuid4().hex[:6]}",
    )
    bad = transcode_request(
        [clip_dir / "random.mp4"], "user_789", WHO, f"bad-{uuid.uuid4().hex[:6]}"
    )
    for job in (good, bad):
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
    thread = serve_in_thread(worker, loop, sampler)
    try:
        assert wait_for(lambda: loop.processed >= 2, timeout=120), "jobs not processed"
        assert wait_for(
            lambda: _committed(bootstrap, settings.group_id, topics.jobs.name) == 2, timeout=20
        )
    finally:
        stop_all(loop, worker.runner)
        thread.join(timeout=60)
    assert not thread.is_alive()

    ok = _session_events(bootstrap, topics.pipeline.name, good.session_id, 14 + 4)
    assert _pairs(ok) == [(k, s, 1) for s in Stage for k in ("StageStarted", "StageCompleted")]
    assert all(e.success for e in ok if isinstance(e, StageCompleted))
    failed = _session_events(bootstrap, topics.pipeline.name, bad.session_id, 14 + 4)
    assert _pairs(failed) == [
        (k, s, 1) for s in (Stage.UPLOAD, Stage.CLEANUP) for k in ("StageStarted", "StageCompleted")
    ]
    assert [e.error_code for e in failed if isinstance(e, StageCompleted)] == [
        ErrorCode.VALIDATION_FAILED,
        None,
    ]
    samples = [
        decode_event(m.value() or b"") for m in read_raw(bootstrap, topics.resources.name, 1)
    ]
    assert samples
    assert isinstance(samples[0], ResourceSample)
    assert samples[0].disk_path == str(settings.work_dir.resolve())


def test_redelivered_job_runs_as_next_attempt_and_closes_the_lost_stage(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path)
    job = transcode_request([clip_dir / "landscape.mp4"], "u", WHO, f"re-{uuid.uuid4().hex[:6]}")
    producer = EventProducer(producer_config(bootstrap, "test-lost-worker"))
    # what a worker killed during PREPARATION of attempt 1 left in the log
    lost = Producer(service="transcoder", host="gone", pid=99)
    for stage in (Stage.UPLOAD, Stage.ANALYSIS):
        producer.produce(
            topics.pipeline.name,
            encode_event(
                StageStarted(producer=lost, session_id=job.session_id, user_id="u", stage=stage)
            ),
            job.session_id,
        )
        producer.produce(
            topics.pipeline.name,
            encode_event(
                StageCompleted(
                    producer=lost,
                    session_id=job.session_id,
                    user_id="u",
                    stage=stage,
                    started_at=datetime.now(UTC),
                    success=True,
                    duration_seconds=0.1,
                )
            ),
            job.session_id,
        )
    producer.produce(
        topics.pipeline.name,
        encode_event(
            StageStarted(
                producer=lost, session_id=job.session_id, user_id="u", stage=Stage.PREPARATION
            )
        ),
        job.session_id,
    )
    producer.flush()
    worker, _loop, _sampler = build(settings, bootstrap, topics)

    result = worker.process(job, int(datetime.now(UTC).timestamp() * 1000) - 5000)

    assert result is not None
    assert result.attempt == 2
    assert result.success
    events = _session_events(bootstrap, topics.pipeline.name, job.session_id, 5 + 1 + 14)
    closing = events[5]
    assert isinstance(closing, StageCompleted)
    assert (closing.stage, closing.attempt, closing.error_code) == (
        Stage.PREPARATION,
        1,
        ErrorCode.WORKER_LOST,
    )
    assert _pairs(events[6:]) == [
        (k, s, 2) for s in Stage for k in ("StageStarted", "StageCompleted")
    ]
    # delivered once more after it was fully recorded: nothing is run or emitted again
    assert worker.process(job, int(datetime.now(UTC).timestamp() * 1000) - 5000) is None
    worker.ledger.close()
