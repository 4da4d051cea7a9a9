"""Clips made by ffmpeg for the transcoder tests, and small, fast transcoder settings."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mediawatch_common.events import Event, Producer
from mediawatch_common.storage import LocalStorage
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.settings import TranscoderSettings, load_transcoder_settings


def make_clip(path: Path, size: str = "320x240", seconds: float = 1.0, audio: bool = True) -> Path:
    """An H.264 test pattern (with a sine tone when ``audio``), made by ffmpeg."""
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    args += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac"] if audio else []
    subprocess.run([*args, "-y", str(path)], check=True)
    return path


def rotate(src: Path, dst: Path, degrees: int = 90) -> Path:
    """Copy ``src`` with a display rotation, as phones record portrait video."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(src),
            "-c",
            "copy",
            "-metadata:s:v:0",
            f"rotate={degrees}",
            "-y",
            str(dst),
        ],
        check=True,
    )
    return dst


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Clips shared by every test (never modified): good ones and broken ones."""
    root = tmp_path_factory.mktemp("clips")
    make_clip(root / "landscape.mp4", "320x240", 1.0)
    make_clip(root / "portrait.mp4", "180x320", 1.2)
    make_clip(root / "silent.mp4", "320x240", 0.8, audio=False)
    rotate(root / "landscape.mp4", root / "rotated.mp4")
    make_clip(root / "moov-at-end.mp4", "320x240", 1.0)
    data = (root / "moov-at-end.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(data[: len(data) // 2])
    faststart = root / "index-first.mp4"
    remux = ["ffmpeg", "-v", "error", "-i", str(root / "moov-at-end.mp4"), "-c", "copy"]
    subprocess.run([*remux, "-movflags", "+faststart", "-y", str(faststart)], check=True)
    whole = faststart.read_bytes()
    (root / "index-first-cut.mp4").write_bytes(whole[: len(whole) // 2])
    (root / "empty.mp4").write_bytes(b"")
    (root / "random.mp4").write_bytes(os.urandom(64 * 1024))
    (root / "notes.txt").write_text("two truths and a lie\n" * 200)
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300:duration=1",
            "-c:a",
            "aac",
            "-y",
            str(root / "audio-only.m4a"),
        ],
        check=True,
    )
    odd = root / "my clip ünïcödé 'quoted' (1).mp4"
    odd.write_bytes((root / "landscape.mp4").read_bytes())
    return root


def fast_settings(tmp_path: Path, **overrides: str) -> TranscoderSettings:
    """Settings for tiny clips on a small machine."""
    env = {
        "TRANSCODER_WORK_DIR": str(tmp_path / "work"),
        "TRANSCODER_STORAGE_DIR": str(tmp_path / "store"),
        "TRANSCODER_SPOOL_DIR": str(tmp_path / "spool"),
        "TRANSCODER_TARGET_LONG_SIDE": "320",
        "TRANSCODER_MAX_FPS": "25",
        "TRANSCODER_PREP_PRESET": "ultrafast",
        "TRANSCODER_PRESET": "ultrafast",
        "TRANSCODER_STAGE_TIMEOUT_SECONDS": "60",
        "TRANSCODER_SAMPLE_INTERVAL_SECONDS": "0.5",
        "TRANSCODER_GROUP_ID": f"test-transcoder-{tmp_path.name}",
    }
    env.update({f"TRANSCODER_{k.upper()}": v for k, v in overrides.items()})
    return load_transcoder_settings(env)


@pytest.fixture
def tx_settings(tmp_path: Path) -> TranscoderSettings:
    """Fast settings with a workspace and a store under ``tmp_path``."""
    return fast_settings(tmp_path)


@pytest.fixture
def make_runner() -> Callable[[TranscoderSettings], tuple[SessionRunner, list[Event]]]:
    """A session runner whose events go into a list."""

    def make(settings: TranscoderSettings) -> tuple[SessionRunner, list[Event]]:
        events: list[Event] = []
        runner = SessionRunner(
            settings, LocalStorage(settings.storage_dir), events.append, Producer.current("test")
        )
        return runner, events

    return make


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def moto_server(log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run moto's S3 API server on a free local port; yield its URL; stop it after."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"moto server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3 API server (moto's server mode) accepting any credentials."""
    with moto_server(tmp_path_factory.mktemp("moto") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint_checking_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto S3 server that authenticates every request (no access key is known to it)."""
    log = tmp_path_factory.mktemp("moto-auth") / "server.log"
    with moto_server(log, {"INITIAL_NO_AUTH_ACTION_COUNT": "0"}) as url:
        yield url
