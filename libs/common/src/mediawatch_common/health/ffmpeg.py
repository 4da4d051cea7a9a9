"""The ffmpeg check: encode a one-second clip with the pipeline's codecs, then decode it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mediawatch_common.health.results import CheckResult

_VIDEO = ["-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10"]
_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
_CODECS = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
ENCODE = ["-nostdin", "-y", *_VIDEO, *_AUDIO, *_CODECS, "-shortest"]
"""Arguments that encode the one-second probe clip (H.264 and AAC, as the pipeline writes)."""


def _decode(clip: Path) -> list[str]:
    """Arguments that decode ``clip`` completely, failing at its first error."""
    return ["-nostdin", "-v", "error", "-xerror", "-i", str(clip), "-f", "null", "-"]


@dataclass(frozen=True, slots=True)
class _Run:
    code: int | None
    stderr: str


def _run(argv: list[str], timeout: float) -> _Run:
    """Run ``argv`` in its own process group; on timeout kill the whole group."""
    with subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as proc:
        try:
            _out, err = proc.communicate(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return _Run(None, "")
    return _Run(proc.returncode, err.decode(errors="replace"))


def _version(banner: str) -> str:
    first = (banner.splitlines() or [""])[0]
    return first.split()[2] if first.startswith("ffmpeg version") else "unknown"


def _tail(stderr: str) -> str:
    return (stderr.strip().splitlines() or [""])[-1][:200]


def check_ffmpeg(binary: str, timeout: float) -> CheckResult:
    """``binary`` is on PATH, encodes a one-second H.264/AAC clip and decodes it again, all
    within ``timeout`` seconds (the process group is killed past it)."""
    found = shutil.which(binary)
    if found is None:
        return CheckResult(
            "ffmpeg", "critical", f"{binary} not found on PATH", {"available": False}
        )
    deadline = time.monotonic() + timeout
    details: dict[str, object] = {"available": False, "path": found}
    with tempfile.TemporaryDirectory(prefix="mediawatch-health-") as work:
        clip = Path(work) / "probe.mp4"
        encoded = _run([found, *ENCODE, str(clip)], deadline - time.monotonic())
        if encoded.code is None:
            return CheckResult("ffmpeg", "critical", _late("encode", timeout), details)
        details["version"] = _version(encoded.stderr)
        if encoded.code != 0:
            message = f"ffmpeg could not encode a test clip: {_tail(encoded.stderr)}"
            return CheckResult("ffmpeg", "critical", message, details)
        details["clip_bytes"] = clip.stat().st_size
        decoded = _run([found, *_decode(clip)], deadline - time.monotonic())
    if decoded.code is None:
        return CheckResult("ffmpeg", "critical", _late("decode", timeout), details)
    if decoded.code != 0:
        message = f"ffmpeg could not decode its test clip: {_tail(decoded.stderr)}"
        return CheckResult("ffmpeg", "critical", message, details)
    return CheckResult("ffmpeg", "healthy", "FFmpeg available", {**details, "available": True})


def _late(step: str, timeout: float) -> str:
    return f"ffmpeg did not {step} a one-second clip within {timeout:g} s"
