"""STORAGE_UPLOAD into a real S3 API (moto's server mode): results, metadata, failures."""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
)
from mediawatch_common.storage import S3Storage, s3_client, storage_from_settings
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.submit import transcode_request

from .conftest import fast_settings, free_port

pytestmark = pytest.mark.integration

WHO = Producer(service="test", host="h", pid=1)
SECRET = "s3cr3t-never-printed"


def s3_settings(tmp_path: Path, endpoint: str, bucket: str, **more: str) -> TranscoderSettings:
    return fast_settings(
        tmp_path,
        storage_backend="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=bucket,
        s3_prefix="runs/",
        s3_access_key_id="testing",
        s3_secret_access_key=SECRET,
        **more,
    )


def runner_for(settings: TranscoderSettings) -> tuple[SessionRunner, list[Event]]:
    events: list[Event] = []
    storage = storage_from_settings(settings)
    assert isinstance(storage, S3Storage)
    return SessionRunner(settings, storage, events.append, WHO), events


def _pairs(events: list[Event]) -> list[tuple[str, Stage]]:
    return [
        (type(e).__name__, e.stage) for e in events if isinstance(e, StageStarted | StageCompleted)
    ]


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


def test_session_stores_video_and_metadata_in_the_bucket(
    clip_dir: Path, tmp_path: Path, s3_endpoint: str
) -> None:
    bucket = f"results-{uuid.uuid4().hex[:8]}"
    settings = s3_settings(tmp_path, s3_endpoint, bucket)
    client = s3_client(settings)
    client.create_bucket(Bucket=bucket)
    runner, events = runner_for(settings)
    files = [clip_dir / "landscape.mp4", clip_dir / "portrait.mp4", clip_dir / "silent.mp4"]

    result = runner.run(transcode_request(files, "user_s3", WHO, "video_session_s3"))

    assert result.success, result.error_message
    prefix = "runs/sessions/video_session_s3"
    assert result.state.stored == {
        "video": f"s3://{bucket}/{prefix}/merged.mp4",
        "metadata": f"s3://{bucket}/{prefix}/metadata.json",
    }
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == [f"{prefix}/merged.mp4", f"{prefix}/metadata.json"]
    video = client.head_object(Bucket=bucket, Key=f"{prefix}/merged.mp4")
    compressed = next(
        e for e in events if isinstance(e, StageCompleted) and e.stage is Stage.COMPRESSION
    )
    assert video["ContentLength"] == compressed.output_size_bytes
    assert video["ContentType"] == "video/mp4"
    body = client.get_object(Bucket=bucket, Key=f"{prefix}/metadata.json")["Body"].read()
    meta = json.loads(body)
    assert [c["filename"] for c in meta["clips"]] == [f.name for f in files]
    stored = next(
        e for e in events if isinstance(e, StageCompleted) and e.stage is Stage.STORAGE_UPLOAD
    )
    assert stored.output_size_bytes == video["ContentLength"] + len(body)
    downloaded = tmp_path / "downloaded.mp4"
    client.download_file(bucket, f"{prefix}/merged.mp4", str(downloaded))
    assert _duration(downloaded) == pytest.approx(meta["clips"][-1]["segment"]["end"], abs=0.1)
    assert list(settings.work_dir.iterdir()) == []


def test_input_given_as_s3_uri_is_fetched_by_upload(
    clip_dir: Path, tmp_path: Path, s3_endpoint: str
) -> None:
    bucket = f"inputs-{uuid.uuid4().hex[:8]}"
    settings = s3_settings(tmp_path, s3_endpoint, bucket)
    client = s3_client(settings)
    client.create_bucket(Bucket=bucket)
    client.upload_file(str(clip_dir / "landscape.mp4"), bucket, "uploads/a b.mp4")
    runner, _ = runner_for(settings)
    job = transcode_request([clip_dir / "portrait.mp4"], "u", WHO, "from-s3")
    clip = replace(job.inputs[0], uri=f"s3://{bucket}/uploads/a b.mp4")
    job = replace(job, inputs=(clip,))

    result = runner.run(job)

    assert result.success, result.error_message
    meta = json.loads(
        client.get_object(Bucket=bucket, Key="runs/sessions/from-s3/metadata.json")["Body"].read()
    )
    assert meta["clips"][0]["source"]["width"] == 320  # landscape.mp4, not portrait.mp4


FAILURES = {
    "missing bucket": "does not exist (NoSuchBucket)",
    "unreachable endpoint": "unreachable",
    "refused credentials": "credentials refused",
}


@pytest.mark.parametrize("where", list(FAILURES))
def test_storage_failure_is_storage_upload_failed_with_a_clean_workspace(
    clip_dir: Path, tmp_path: Path, request: pytest.FixtureRequest, where: str
) -> None:
    endpoint = {
        "missing bucket": lambda: request.getfixturevalue("s3_endpoint"),
        "unreachable endpoint": lambda: f"http://127.0.0.1:{free_port()}",
        "refused credentials": lambda: request.getfixturevalue("s3_endpoint_checking_keys"),
    }[where]()
    settings = s3_settings(
        tmp_path,
        endpoint,
        f"never-created-{uuid.uuid4().hex[:8]}",
        s3_max_attempts="1",
        s3_connect_timeout_seconds="2",
    )
    runner, events = runner_for(settings)
    job = transcode_request([clip_dir / "landscape.mp4"], "u", WHO, f"fail-{where}")

    result = runner.run(job)

    assert (result.failed_stage, result.error_code) == (
        Stage.STORAGE_UPLOAD,
        ErrorCode.STORAGE_UPLOAD_FAILED,
    )
    assert FAILURES[where] in (result.error_message or "")
    assert endpoint in (result.error_message or "")
    assert SECRET not in (result.error_message or "")
    assert _pairs(events)[-4:] == [
        ("StageStarted", Stage.STORAGE_UPLOAD),
        ("StageCompleted", Stage.STORAGE_UPLOAD),
        ("StageStarted", Stage.CLEANUP),
        ("StageCompleted", Stage.CLEANUP),
    ]
    cleanup = [e for e in events if isinstance(e, StageCompleted)][-1]
    assert cleanup.success
    assert list(settings.work_dir.iterdir()) == []
