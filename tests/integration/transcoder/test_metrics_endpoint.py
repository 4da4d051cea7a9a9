"""``mediawatch run transcoder`` serves its metrics over HTTP after a real session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Producer, Stage, encode_event
from mediawatch_common.kafka import (
    EventProducer,
    Topics,
    declare_topics,
    ensure_topics,
    producer_config,
)
from mediawatch_transcoder.metrics import STAGE_BUCKETS
from mediawatch_transcoder.submit import transcode_request

from ..helpers import scrape, wait_for
from .conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    declared = declare_topics(f"test-txm-{uuid.uuid4().hex[:8]}", partitions=1)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics([t.name for t in declared.all()]).values():
        future.result()


def test_a_session_shows_in_the_stage_histogram_of_every_stage(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    prefix = topics.jobs.name.removesuffix(".jobs")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "METRICS_PORT": str(port),
        "LOG_DIR": str(tmp_path / "logs"),
        "LOG_SHIP": "false",
        "TRANSCODER_WORK_DIR": str(tmp_path / "work"),
        "TRANSCODER_STORAGE_DIR": str(tmp_path / "store"),
        "TRANSCODER_TARGET_LONG_SIDE": "320",
        "TRANSCODER_PREP_PRESET": "ultrafast",
        "TRANSCODER_PRESET": "ultrafast",
        "TRANSCODER_GROUP_ID": f"test-txm-{tmp_path.name}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "mediawatch_common.cli", "run", "transcoder"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr.txt").open("wb"),
    )
    try:
        assert wait_for(lambda: scrape(port), timeout=60), (tmp_path / "stderr.txt").read_text()
        job = transcode_request(
            [clip_dir / "landscape.mp4", clip_dir / "portrait.mp4"],
            "user_metrics",
            Producer(service="test", host="h", pid=1),
        )
        submitter = EventProducer(producer_config(bootstrap, "test-submit-metrics"))
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
        done = ("mediawatch_sessions_total", (("error_code", "none"), ("outcome", "success")))
        assert wait_for(lambda: scrape(port).get(done) == 1, timeout=180)
        jobs_lag = (
            ("group", env["TRANSCODER_GROUP_ID"]),
            ("partition", "0"),
            ("topic", topics.jobs.name),
        )
        # The job's offset is read back once the loop polls again after the session.
        lag = ("mediawatch_consumer_lag_messages", jobs_lag)
        assert wait_for(lambda: scrape(port).get(lag) == 0, timeout=30)
        samples = scrape(port)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    for stage in Stage:
        labels = {"stage": stage.label, "outcome": "success"}
        buckets = {
            dict(found)["le"]: value
            for (name, found), value in samples.items()
            if name == "mediawatch_stage_duration_seconds_bucket"
            and {k: v for k, v in found if k != "le"} == labels
        }
        assert len(buckets) == len(STAGE_BUCKETS) + 1, stage
        assert buckets["+Inf"] == 1, stage
        key = ("mediawatch_stages_total", tuple(sorted({**labels, "error_code": "none"}.items())))
        assert samples[key] == 1
    assert samples[("mediawatch_transcoder_jobs_in_flight", ())] == 0
    assert ("process_cpu_seconds_total", ()) in samples
    assert any(name == "python_info" for name, _ in samples)
    memory = [
        v for (name, _), v in samples.items() if name == "mediawatch_ffmpeg_peak_memory_bytes"
    ]
    assert memory
    assert all(v > 1024 * 1024 for v in memory)
