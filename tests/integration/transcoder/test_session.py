"""Sessions through the seven stages with real ffmpeg, events captured in order."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
)
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.submit import transcode_request

from .conftest import fast_settings

pytestmark = pytest.mark.integration

Runner = Callable[[TranscoderSettings], tuple[SessionRunner, list[Event]]]
WHO = Producer(service="test", host="h", pid=1)


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


def _pairs(events: list[Event]) -> list[tuple[str, Stage]]:
    return [
        (type(e).__name__, e.stage) for e in events if isinstance(e, StageStarted | StageCompleted)
    ]


def _expected(stages: list[Stage]) -> list[tuple[str, Stage]]:
    return [(kind, s) for s in stages for kind in ("StageStarted", "StageCompleted")]


def test_three_clip_session_succeeds_with_segments_summing_to_the_output(
    clip_dir: Path, tx_settings: TranscoderSettings, make_runner: Runner
) -> None:
    runner, events = make_runner(tx_settings)
    files = [clip_dir / "landscape.mp4", clip_dir / "rotated.mp4", clip_dir / "silent.mp4"]
    job = transcode_request(files, "user_456", WHO, "video_session_ok")

    result = runner.run(job)

    assert result.success, result.error_message
    assert _pairs(events) == _expected(list(Stage))
    completed = [e for e in events if isinstance(e, StageCompleted)]
    assert all(e.success and e.error_code is None for e in completed)
    assert {e.attempt for e in completed} == {1}
    stored = tx_settings.storage_dir / "sessions" / "video_session_ok"
    merged, meta = stored / "merged.mp4", json.loads((stored / "metadata.json").read_text())
    segments = [c["segment"] for c in meta["clips"]]
    assert [s["start"] for s in segments] == [0.0, segments[0]["end"], segments[1]["end"]]
    assert _duration(merged) == pytest.approx(segments[-1]["end"], abs=0.1)
    assert segments[-1]["end"] == pytest.approx(1.0 + 1.0 + 0.8, abs=0.15)
    assert [c["filename"] for c in meta["clips"]] == [f.name for f in files]
    assert meta["clips"][1]["source"]["rotation"] in (90, 270)
    # two of three clips are landscape as displayed: the output is landscape 320x180
    assert (meta["format"]["width"], meta["format"]["height"]) == (320, 180)
    by_stage = {e.stage: e for e in completed}
    assert by_stage[Stage.PREPARATION].peak_memory_mb
    assert by_stage[Stage.PREPARATION].cpu_percent
    assert by_stage[Stage.COMPRESSION].output_size_bytes == merged.stat().st_size
    assert by_stage[Stage.UPLOAD].video_count == 3
    assert list(tx_settings.work_dir.iterdir()) == []


BROKEN = [
    ("truncated.mp4", ErrorCode.VALIDATION_FAILED, "moov atom not found"),
    ("index-first-cut.mp4", ErrorCode.VALIDATION_FAILED, "truncated: decodable video ends at"),
    ("empty.mp4", ErrorCode.VALIDATION_FAILED, "empty file"),
    ("random.mp4", ErrorCode.VALIDATION_FAILED, "Invalid data"),
    ("notes.txt", ErrorCode.VALIDATION_FAILED, "not a usable video"),
    ("audio-only.m4a", ErrorCode.NO_VIDEO_STREAM, "no video stream"),
    ("missing.mp4", ErrorCode.VALIDATION_FAILED, "cannot read"),
]


@pytest.mark.parametrize(("name", "code", "detail"), BROKEN)
def test_broken_input_fails_at_upload_and_leaves_no_workspace(
    clip_dir: Path,
    tx_settings: TranscoderSettings,
    make_runner: Runner,
    name: str,
    code: ErrorCode,
    detail: str,
) -> None:
    runner, events = make_runner(tx_settings)
    job = transcode_request([clip_dir / "landscape.mp4", clip_dir / name], "u", WHO, f"s-{name}")

    result = runner.run(job)

    assert not result.success
    assert (result.failed_stage, result.error_code) == (Stage.UPLOAD, code)
    assert _pairs(events) == _expected([Stage.UPLOAD, Stage.CLEANUP])
    failed = [e for e in events if isinstance(e, StageCompleted) and not e.success]
    assert len(failed) == 1
    assert failed[0].error_code is code
    assert failed[0].error_message
    assert detail in failed[0].error_message
    assert f"clip 1 {name!r}" in failed[0].error_message
    assert list(tx_settings.work_dir.iterdir()) == []


def test_odd_file_names_are_processed(
    clip_dir: Path, tx_settings: TranscoderSettings, make_runner: Runner
) -> None:
    runner, _events = make_runner(tx_settings)
    odd = clip_dir / "my clip ünïcödé 'quoted' (1).mp4"
    job = transcode_request([odd, clip_dir / "portrait.mp4"], "u", WHO, "odd session/ü id")

    result = runner.run(job)

    assert result.success, result.error_message
    assert result.state.stored["metadata"].startswith("file://")
    meta = json.loads(Path(result.state.stored["metadata"].removeprefix("file://")).read_text())
    assert meta["clips"][0]["filename"] == odd.name
    assert list(tx_settings.work_dir.iterdir()) == []


def test_too_large_clip_fails_with_file_too_large(
    clip_dir: Path, tmp_path: Path, make_runner: Runner
) -> None:
    runner, _ = make_runner(fast_settings(tmp_path, max_clip_bytes="1000"))
    job = transcode_request([clip_dir / "landscape.mp4"], "u", WHO, "big")

    result = runner.run(job)

    assert (result.failed_stage, result.error_code) == (Stage.UPLOAD, ErrorCode.FILE_TOO_LARGE)


def _ffmpeg_in(workspace_root: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] in ("ffmpeg", "ffprobe") and str(workspace_root) in cmdline:
            found.append(proc)
    return found


def test_stage_timeout_kills_ffmpeg_and_reports_timeout(
    clip_dir: Path, tmp_path: Path, make_runner: Runner
) -> None:
    long_clip = clip_dir.parent / "long.mp4"
    if not long_clip.exists():
        from .conftest import make_clip

        make_clip(long_clip, "1280x720", 30.0)
    settings = fast_settings(
        tmp_path, stage_timeouts='{"PREPARATION": 0.7}', prep_preset="veryslow"
    )
    runner, events = make_runner(settings)
    job = transcode_request([long_clip], "u", WHO, "slow")

    result = runner.run(job)

    assert (result.failed_stage, result.error_code) == (Stage.PREPARATION, ErrorCode.TIMEOUT_ERROR)
    assert _pairs(events)[-4:] == _expected([Stage.PREPARATION, Stage.CLEANUP])
    timed_out = next(e for e in events if isinstance(e, StageCompleted) and not e.success)
    assert "killed after timeout" in (timed_out.error_message or "")
    assert timed_out.peak_memory_mb is not None
    assert _ffmpeg_in(settings.work_dir) == []
    assert list(settings.work_dir.iterdir()) == []


def test_stop_request_abandons_the_running_stage_as_worker_lost(
    clip_dir: Path, tmp_path: Path, make_runner: Runner
) -> None:
    long_clip = clip_dir.parent / "long.mp4"
    if not long_clip.exists():
        from .conftest import make_clip

        make_clip(long_clip, "1280x720", 30.0)
    settings = fast_settings(tmp_path, prep_preset="veryslow", stop_grace_seconds="0")
    runner, events = make_runner(settings)
    job = transcode_request([long_clip], "u", WHO, "stopping")
    timer = threading.Timer(2.0, runner.stop.set)
    timer.start()

    result = runner.run(job)

    timer.cancel()
    assert result.abandoned
    assert result.error_code is ErrorCode.WORKER_LOST
    assert _pairs(events)[-2:] == _expected([Stage.CLEANUP])
    assert _ffmpeg_in(settings.work_dir) == []
    assert list(settings.work_dir.iterdir()) == []
