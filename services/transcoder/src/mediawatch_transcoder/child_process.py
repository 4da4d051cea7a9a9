"""Run one ffmpeg/ffprobe child in its own process group, measured, with a deadline.

A timeout or a stop kills the whole group, and a worker killed outright takes its child with
it, so no process outlives its stage; CPU time and peak memory come from ``wait4``
(``docs/transcoder.md``, "Children, timeouts, SIGTERM").
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psutil

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import SessionAbandonedError, StageError, tail

MIB = 1024 * 1024

Rusage = resource.struct_rusage | None

# util-linux's setpriv sets PR_SET_PDEATHSIG and then execs the command: the child dies with
# the worker without a Python preexec_fn (unsafe with threads, and slower to spawn).
_SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None
_WRAPPER = (_SETPRIV, "--pdeathsig", "KILL", "--") if _SETPRIV else ()


def _bound(args: Sequence[str]) -> list[str]:
    """``args`` run so that the child is killed when its parent dies (where supported)."""
    return [*_WRAPPER, *args] if _WRAPPER else list(args)


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one finished child printed and used."""

    returncode: int
    stdout: bytes
    stderr: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class Limits:
    """When to give up on a child: a monotonic deadline and a stop request."""

    deadline: float
    stop: threading.Event
    grace_seconds: float = 0.0
    sample_interval: float = 0.2


def run(
    args: Sequence[str],
    limits: Limits,
    error_code: ErrorCode,
    record: Callable[[RunResult], None] | None = None,
) -> RunResult:
    """Run ``args`` to completion; raise :class:`StageError` when it fails.

    ``record`` receives the measurements of every child, including one that failed or was
    killed, so a failed stage still reports what its ffmpeg used.

    Raises:
        StageError: TIMEOUT_ERROR past the deadline, ``error_code`` on a non-zero exit.
        SessionAbandonedError: the stop event was set and the grace period ran out.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            _bound(args),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        started = time.monotonic()
        peak = [0.0]
        try:
            status, rusage = _wait(proc, limits, peak)
        except BaseException:
            status, rusage = _kill_group(proc)
            if record is not None:
                record(_result(status, rusage, b"", "", time.monotonic() - started, peak[0]))
            raise
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        wall = time.monotonic() - started
        result = _result(status, rusage, out.read(), stderr, wall, peak[0])
    if record is not None:
        record(result)
    if result.returncode != 0:
        name = os.path.basename(args[0])
        raise StageError(error_code, f"{name} exited {result.returncode}: {tail(result.stderr)}")
    return result


def _result(
    status: int, rusage: Rusage, stdout: bytes, stderr: str, wall: float, peak: float
) -> RunResult:
    return RunResult(
        returncode=os.waitstatus_to_exitcode(status),
        stdout=stdout,
        stderr=stderr,
        wall_seconds=wall,
        cpu_seconds=(rusage.ru_utime + rusage.ru_stime) if rusage else 0.0,
        peak_rss_mb=max(peak, rusage.ru_maxrss / 1024 if rusage else 0.0),
    )


def _wait(proc: subprocess.Popen[bytes], limits: Limits, peak: list[float]) -> tuple[int, Rusage]:
    """Sample the child until it exits; enforce the deadline and the stop request."""
    watched = _process(proc.pid)
    pidfd = os.pidfd_open(proc.pid)
    stop_by: float | None = None
    try:
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                return status, rusage
            peak[0] = max(peak[0], _rss_mb(watched))
            now = time.monotonic()
            if now >= limits.deadline:
                raise StageError(ErrorCode.TIMEOUT_ERROR, f"{_name(proc)} killed after timeout")
            if limits.stop.is_set():
                stop_by = stop_by or now + limits.grace_seconds
                if now >= stop_by:
                    raise SessionAbandonedError(f"worker stopping: {_name(proc)} abandoned")
            wake = min(limits.deadline, stop_by or limits.deadline) - now
            select.select([pidfd], [], [], max(0.0, min(limits.sample_interval, wake)))
    finally:
        os.close(pidfd)


def _name(proc: subprocess.Popen[bytes]) -> str:
    args = proc.args
    command = args[len(_WRAPPER) :] if isinstance(args, list) else []
    return os.path.basename(str(command[0])) if command else "child"


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _rss_mb(proc: psutil.Process | None) -> float:
    """Resident memory of the child, MiB (0 once it is gone).

    Only the child itself is read (one small /proc file): listing its descendants would
    scan every process on the host at each sample, which cost more CPU than the rest of
    the monitoring. ffmpeg and ffprobe spawn none, and ``wait4`` reports the peak of the
    child and of any descendant it waited for.
    """
    if proc is None:
        return 0.0
    try:
        return proc.memory_info().rss / MIB
    except psutil.Error:
        return 0.0


def _kill_group(proc: subprocess.Popen[bytes]) -> tuple[int, Rusage]:
    """Kill the child's whole process group and reap the child."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    status: int = int(signal.SIGKILL)
    rusage: Rusage = None
    with contextlib.suppress(ChildProcessError):
        _, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return status, rusage
