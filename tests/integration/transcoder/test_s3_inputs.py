"""Jobs whose clips are ``s3://`` objects: submitted by URI, downloaded by each worker.

Against moto's server mode (a real S3 API in a subprocess): the job carries no local path,
the worker (S3 backend, no access to the clips' files) downloads the objects into its
workspace and records a complete session; ``mediawatch submit`` sizes each object and
refuses a missing one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.storage import S3Storage, StorageError, s3_client, storage_from_settings
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.submit import transcode_request
from mediawatch_transcoder.worker import build, serve_in_thread, stop_all

from ..helpers import read_raw, wait_for
from .test_s3_storage import s3_settings
from .test_worker import WHO, _pairs, topics

pytestmark = pytest.mark.integration

__all__ = ["topics"]


@pytest.fixture
def bucket(tmp_path: Path, s3_endpoint: str, clip_dir: Path) -> str:
    """A bucket holding two clips under ``uploads/``."""
    name = f"uploads-{uuid.uuid4().hex[:8]}"
    client = s3_client(s3_settings(tmp_path, s3_endpoint, name))
    client.create_bucket(Bucket=name)
    client.upload_file(str(clip_dir / "landscape.mp4"), name, "uploads/one.mp4")
    client.upload_file(str(clip_dir / "silent.mp4"), name, "uploads/two clip.mp4")
    return name


def test_worker_downloads_s3_inputs_into_its_workspace(
    bootstrap: str, topics: Topics, clip_dir: Path, tmp_path: Path, s3_endpoint: str, bucket: str
) -> None:
    settings = s3_settings(tmp_path, s3_endpoint, bucket, concurrency="2")
    storage = storage_from_settings(settings)
    assert isinstance(storage, S3Storage)
    uris = [f"s3://{bucket}/uploads/one.mp4", f"s3://{bucket}/uploads/two clip.mp4"]
    job = transcode_request(
        uris, "user_s3", WHO, f"s3in-{uuid.uuid4().hex[:6]}", None, storage.size
    )
    sizes = [(clip_dir / n).stat().st_size for n in ("landscape.mp4", "silent.mp4")]
    assert [(c.uri, c.filename, c.size_bytes) for c in job.inputs] == [
        (uris[0], "one.mp4", sizes[0]),
        (uris[1], "two clip.mp4", sizes[1]),
    ]
    EventProducer(producer_config(bootstrap, "test-submit-s3")).send(
        topics.jobs.name, encode_event(job), key=job.session_id
    )
    worker, loop, sampler = build(settings, bootstrap, topics)
    thread = serve_in_thread(worker, loop, sampler)
    try:
        assert wait_for(lambda: loop.processed >= 1, timeout=120), "job not processed"
    finally:
        stop_all(loop, worker.runner)
        thread.join(timeout=60)

    events = [decode_event(m.value() or b"") for m in read_raw(bootstrap, topics.pipeline.name, 14)]
    mine = [e for e in events if getattr(e, "session_id", None) == job.session_id]
    assert _pairs(mine) == [(k, s, 1) for s in Stage for k in ("StageStarted", "StageCompleted")]
    assert all(e.success for e in mine if isinstance(e, StageCompleted))
    upload = next(e for e in mine if isinstance(e, StageStarted))
    assert upload.total_size_bytes == sum(sizes)
    client = s3_client(settings)
    stored = client.list_objects_v2(Bucket=bucket, Prefix=f"runs/sessions/{job.session_id}/")
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in stored["Contents"]) == [
        "merged.mp4",
        "metadata.json",
    ]


def test_size_of_a_missing_object_names_it(tmp_path: Path, s3_endpoint: str, bucket: str) -> None:
    storage = storage_from_settings(s3_settings(tmp_path, s3_endpoint, bucket))
    assert isinstance(storage, S3Storage)
    with pytest.raises(StorageError, match=r"uploads/absent\.mp4"):
        storage.size(f"s3://{bucket}/uploads/absent.mp4")


def _submit(topics: Topics, bootstrap: str, tmp_path: Path, endpoint: str, *files: str) -> str:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": topics.jobs.name.removesuffix(".jobs"),
        "LOG_DIR": str(tmp_path / "logs"),
        "LOG_SHIP": "false",
        "TRANSCODER_STORAGE_BACKEND": "s3",
        "TRANSCODER_S3_ENDPOINT_URL": endpoint,
        "TRANSCODER_S3_BUCKET": "any",
        "TRANSCODER_S3_ACCESS_KEY_ID": "testing",
        "TRANSCODER_S3_SECRET_ACCESS_KEY": "testing",
    }
    command = [sys.executable, "-m", "mediawatch_common.cli", "submit", "--user", "u_cli", *files]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    return f"{done.returncode}\n{done.stdout}{done.stderr}"


def test_submit_puts_s3_uris_on_the_jobs_topic_and_refuses_a_missing_object(
    bootstrap: str, topics: Topics, tmp_path: Path, s3_endpoint: str, bucket: str
) -> None:
    missing = _submit(topics, bootstrap, tmp_path, s3_endpoint, f"s3://{bucket}/uploads/none.mp4")
    assert missing.startswith("2\n"), missing
    assert "uploads/none.mp4" in missing
    bad = _submit(topics, bootstrap, tmp_path, s3_endpoint, f"s3://{bucket}")
    assert bad.startswith("2\n"), bad
    assert "not an s3://bucket/key URI" in bad

    uri = f"s3://{bucket}/uploads/two clip.mp4"
    out = _submit(topics, bootstrap, tmp_path, s3_endpoint, uri)
    assert out.startswith("0\n"), out
    (message,) = read_raw(bootstrap, topics.jobs.name, 1, timeout=30)
    job = decode_event(message.value() or b"")
    assert isinstance(job, TranscodeRequested)
    assert job.user_id == "u_cli"
    (clip,) = job.inputs
    assert (clip.uri, clip.filename) == (uri, "two clip.mp4")
    assert clip.size_bytes > 0


def test_an_object_over_the_clip_limit_is_refused_before_download(
    clip_dir: Path, tmp_path: Path, s3_endpoint: str, bucket: str
) -> None:
    settings = s3_settings(tmp_path, s3_endpoint, bucket, max_clip_bytes="1000")
    storage = storage_from_settings(settings)
    assert isinstance(storage, S3Storage)
    events: list[Event] = []
    runner = SessionRunner(settings, storage, events.append, WHO)
    uri = f"s3://{bucket}/uploads/one.mp4"
    job = transcode_request([uri], "u", WHO, f"big-{uuid.uuid4().hex[:6]}", None, storage.size)

    result = runner.run(job)

    assert (result.failed_stage, result.error_code) == (Stage.UPLOAD, ErrorCode.FILE_TOO_LARGE)
    size = (clip_dir / "landscape.mp4").stat().st_size
    assert f"{size} bytes > limit 1000" in (result.error_message or "")
    assert list(settings.work_dir.iterdir()) == []
