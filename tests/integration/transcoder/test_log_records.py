"""The transcoder's records in media_processing.log and performance.log, from real sessions:
the fields the operators' grep and jq recipes filter on."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mediawatch_common.events import Event, Producer
from mediawatch_common.logs import configure_logging
from mediawatch_common.settings import load_settings
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.stage_logs import SlowLimits
from mediawatch_transcoder.submit import transcode_request

pytestmark = pytest.mark.integration

Runner = Callable[[TranscoderSettings], tuple[SessionRunner, list[Event]]]
WHO = Producer(service="test", host="h", pid=1)
FIELDS = {"session_id", "user_id", "stage", "duration_seconds", "file_size_bytes",
          "video_count", "error_code", "event_type"}  # fmt: skip


@pytest.fixture
def files(log_dir: Path) -> Iterator[Path]:
    settings = load_settings({"LOG_DIR": str(log_dir), "LOG_CONSOLE": "false"}).log
    yield configure_logging(settings, "transcoder")
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


def _entries(path: Path) -> list[dict[str, Any]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_stage_records_carry_what_the_recipes_filter_on(
    clip_dir: Path, tx_settings: TranscoderSettings, make_runner: Runner, files: Path
) -> None:
    runner, _events = make_runner(tx_settings)
    runner.slow = SlowLimits(stage_seconds=3600, ffmpeg_share=0.5)
    good = transcode_request([clip_dir / "landscape.mp4"], "user_456", WHO, "s-good")
    bad = transcode_request(
        [clip_dir / "landscape.mp4", clip_dir / "random.mp4"], "user_789", WHO, "s-bad"
    )
    runner.run(good)
    runner.run(bad)

    stages = [e for e in _entries(files / "media_processing.log")
              if e["extra"].get("event_type") == "processing"]  # fmt: skip
    assert all(set(e["extra"]) >= FIELDS for e in stages)
    good_stages = [e for e in stages if e["extra"]["session_id"] == "s-good"]
    assert {e["level"] for e in good_stages} == {"INFO"}
    assert len(good_stages) == 7
    (failed,) = [e for e in stages if e["level"] == "ERROR"]
    assert failed["extra"]["session_id"] == "s-bad"
    assert failed["extra"]["user_id"] == "user_789"
    assert failed["extra"]["stage"] == "upload"
    assert failed["extra"]["error_code"] == "VALIDATION_FAILED"
    assert failed["extra"]["video_count"] == 2
    assert failed["extra"]["file_size_bytes"] == sum(c.size_bytes for c in bad.inputs)
    assert failed["extra"]["duration_seconds"] >= 0
    assert [e["extra"]["session_id"] for e in _entries(files / "errors.log")] == ["s-bad"]
    assert _entries(files / "performance.log") == []  # nothing near an hour


def test_slow_stages_and_ffmpeg_runs_go_to_performance_log(
    clip_dir: Path, tx_settings: TranscoderSettings, make_runner: Runner, files: Path
) -> None:
    runner, _events = make_runner(tx_settings)
    runner.slow = SlowLimits(stage_seconds=0.05, ffmpeg_share=0.2)  # 0.05 s and 0.01 s
    runner.run(transcode_request([clip_dir / "landscape.mp4"], "user_456", WHO, "s-slow"))

    slow = _entries(files / "performance.log")
    assert {e["level"] for e in slow} == {"WARNING"}
    stages = [e for e in slow if e["message"] == "slow stage"]
    runs = [e for e in slow if e["message"] in ("slow ffmpeg run", "slow ffprobe run")]
    assert {e["extra"]["stage"] for e in stages} >= {"preparation", "compression"}
    assert all(e["extra"]["duration_seconds"] > 0.05 for e in stages)
    assert all(e["extra"]["event_type"] == "performance" for e in slow)
    assert runs
    assert all(e["extra"]["duration_seconds"] > 0.01 for e in runs)
    assert {e["extra"]["program"] for e in runs} >= {"ffmpeg"}
    assert all(e["extra"]["session_id"] == "s-slow" for e in slow)
