"""A worker running three jobs at once: their stages overlap, all complete, all committed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage, StageCompleted, decode_event, encode_event
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
from .test_worker import WHO, _committed, _pairs, topics

pytestmark = pytest.mark.integration

__all__ = ["topics"]

SESSIONS = 3


def _span(events: list[StageCompleted]) -> tuple[datetime, datetime]:
    return min(e.started_at for e in events), max(e.event_time for e in events)


def test_three_concurrent_jobs_overlap_complete_and_are_committed(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, concurrency="3")
    worker, loop, sampler = build(settings, bootstrap, topics)
    submitter = EventProducer(producer_config(bootstrap, "test-submit-concurrent"))
    files = [clip_dir / "landscape.mp4", clip_dir / "portrait.mp4", clip_dir / "silent.mp4"]
    jobs = [
        transcode_request(files, "user_conc", WHO, f"conc-{i}-{uuid.uuid4().hex[:6]}")
        for i in range(SESSIONS)
    ]
    for job in jobs:
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
    thread = serve_in_thread(worker, loop, sampler)
    try:
        assert wait_for(lambda: loop.processed >= SESSIONS, timeout=240), "jobs not processed"
        assert wait_for(
            lambda: _committed(bootstrap, settings.group_id, topics.jobs.name) == SESSIONS,
            timeout=20,
        )
    finally:
        stop_all(loop, worker.runner)
        thread.join(timeout=60)
    assert not thread.is_alive()

    messages = read_raw(bootstrap, topics.pipeline.name, SESSIONS * 14, timeout=60)
    events = [decode_event(m.value() or b"") for m in messages]
    spans = []
    for job in jobs:
        mine = [e for e in events if getattr(e, "session_id", None) == job.session_id]
        assert _pairs(mine) == [
            (k, s, 1) for s in Stage for k in ("StageStarted", "StageCompleted")
        ], job.session_id
        completed = [e for e in mine if isinstance(e, StageCompleted)]
        assert all(e.success for e in completed)
        spans.append(_span(completed))
    latest_start = max(start for start, _ in spans)
    earliest_end = min(end for _, end in spans)
    assert latest_start < earliest_end, f"sessions ran one after another: {spans}"
    workspaces = list(settings.work_dir.iterdir()) if settings.work_dir.exists() else []
    assert workspaces == []


@pytest.fixture
def two_partition_topics(admin: AdminClient) -> Iterator[Topics]:
    """Every declared topic under a unique prefix, two jobs partitions; deleted after."""
    declared = declare_topics(f"test-txr-{uuid.uuid4().hex[:8]}", partitions=2)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics(
        [t.name for t in declared.all()], operation_timeout=30
    ).values():
        future.result()


def test_a_worker_joining_lets_the_running_jobs_finish_once(
    bootstrap: str, two_partition_topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    topics = two_partition_topics
    first = fast_settings(tmp_path / "a", concurrency="2", group_id=f"txr-{tmp_path.name}")
    second = fast_settings(tmp_path / "b", concurrency="2", group_id=first.group_id)
    files = [clip_dir / "landscape.mp4", clip_dir / "portrait.mp4", clip_dir / "silent.mp4"]
    jobs = [
        transcode_request(files, "user_reb", WHO, f"reb-{i}-{uuid.uuid4().hex[:6]}")
        for i in range(6)
    ]
    submitter = EventProducer(producer_config(bootstrap, "test-submit-rebalance"))
    for job in jobs:
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
    a = build(first, bootstrap, topics)
    threads = [serve_in_thread(*a)]
    b = build(second, bootstrap, topics)
    try:
        assert wait_for(lambda: a[0].runner.active > 0, timeout=60), "first worker idle"
        threads.append(serve_in_thread(*b))  # joins while the first worker's jobs run
        done = lambda: a[1].processed + b[1].processed >= len(jobs)  # noqa: E731
        assert wait_for(done, timeout=300), "jobs not processed"
    finally:
        for worker, loop, _ in (a, b):
            stop_all(loop, worker.runner)
        for thread in threads:
            thread.join(timeout=60)

    messages = read_raw(bootstrap, topics.pipeline.name, len(jobs) * 14, timeout=60)
    events = [decode_event(m.value() or b"") for m in messages]
    for job in jobs:
        mine = [e for e in events if getattr(e, "session_id", None) == job.session_id]
        assert _pairs(mine) == [
            (k, s, 1) for s in Stage for k in ("StageStarted", "StageCompleted")
        ], job.session_id


def test_a_job_delivered_twice_runs_once(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, concurrency="2")
    job = transcode_request(
        [clip_dir / "landscape.mp4"], "user_twice", WHO, f"twice-{uuid.uuid4().hex[:6]}"
    )
    submitter = EventProducer(producer_config(bootstrap, "test-submit-twice"))
    for _ in range(2):
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
    worker, loop, sampler = build(settings, bootstrap, topics)
    thread = serve_in_thread(worker, loop, sampler)
    try:
        assert wait_for(lambda: loop.processed >= 2, timeout=120), "jobs not processed"
        assert wait_for(
            lambda: _committed(bootstrap, settings.group_id, topics.jobs.name) == 2, timeout=20
        )
    finally:
        stop_all(loop, worker.runner)
        thread.join(timeout=60)

    messages = read_raw(bootstrap, topics.pipeline.name, 14 + 1, timeout=20)
    events = [decode_event(m.value() or b"") for m in messages]
    assert _pairs(events) == [(k, s, 1) for s in Stage for k in ("StageStarted", "StageCompleted")]
