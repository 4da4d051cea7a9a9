"""The ffmpeg check against real processes: a hung ffmpeg's whole group is killed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mediawatch_common.health import check_ffmpeg

pytestmark = pytest.mark.integration


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_hung_ffmpeg_is_critical_and_its_process_group_is_killed(tmp_path: Path) -> None:
    pids = tmp_path / "child.pid"
    hung = _script(tmp_path / "ffmpeg", f"sleep 60 & echo $! > {pids}\nwait")

    result = check_ffmpeg(str(hung), 0.5)

    assert result.status == "critical"
    assert result.message == "ffmpeg did not encode a one-second clip within 0.5 s"
    child = int(pids.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child of the hung ffmpeg survived"


def test_an_ffmpeg_that_cannot_encode_is_critical_with_its_last_words(tmp_path: Path) -> None:
    broken = _script(tmp_path / "ffmpeg", "echo 'Unknown encoder libx264' >&2\nexit 1")

    result = check_ffmpeg(str(broken), 5.0)

    assert result.status == "critical"
    assert result.message == "ffmpeg could not encode a test clip: Unknown encoder libx264"
    assert result.details["available"] is False


def test_the_real_ffmpeg_encodes_and_decodes_the_clip() -> None:
    result = check_ffmpeg("ffmpeg", 10.0)

    assert result.status == "healthy", result.message
    assert result.details["available"] is True
    assert int(result.details["clip_bytes"]) > 1000
