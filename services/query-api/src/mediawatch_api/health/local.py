"""Checks of the API's own host: resources, ffmpeg, storage, temp directory, log files."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psutil

from mediawatch_api.health.model import CheckResult, level_of, worst
from mediawatch_common.settings import LogSettings, MonitoringSettings

LOG_FILES = ("application.log", "media_processing.log", "errors.log", "performance.log")
DAY = 24 * 3600


def host_resources(monitoring: MonitoringSettings, path: Path) -> dict[str, object]:
    """CPU, memory and disk (of ``path``) of this host, with their statuses."""
    cpu = psutil.cpu_percent(interval=None)
    memory = psutil.virtual_memory().percent
    disk = psutil.disk_usage(str(_existing(path))).percent
    critical = monitoring.critical_threshold
    return {
        "cpu_usage_percent": cpu,
        "memory_usage_percent": memory,
        "disk_usage_percent": disk,
        "status": worst(
            [
                level_of(cpu, monitoring.cpu_threshold, critical),
                level_of(memory, monitoring.memory_threshold, critical),
                level_of(disk, min(monitoring.disk_threshold, critical), critical),
            ]
        ),
    }


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_ffmpeg(binary: str, timeout: float) -> CheckResult:
    """ffmpeg is on PATH and answers ``-version`` within ``timeout`` seconds."""
    found = shutil.which(binary)
    if found is None:
        return CheckResult(
            "ffmpeg", "critical", f"{binary} not found on PATH", {"available": False}
        )
    try:
        done = subprocess.run(
            [found, "-version"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return CheckResult(
            "ffmpeg",
            "critical",
            f"ffmpeg did not answer within {timeout:g} s",
            {"available": False, "path": found},
        )
    first = (done.stdout.splitlines() or [""])[0]
    if done.returncode != 0:
        return CheckResult(
            "ffmpeg",
            "critical",
            "ffmpeg -version failed",
            {"available": False, "exit_code": done.returncode},
        )
    version = first.split()[2] if first.startswith("ffmpeg version") else first
    return CheckResult(
        "ffmpeg",
        "healthy",
        "FFmpeg available",
        {"available": True, "version": version, "path": found},
    )


def _write_read_delete(directory: Path) -> None:
    probe = directory / f".health-{uuid.uuid4().hex}"
    payload = uuid.uuid4().bytes
    probe.write_bytes(payload)
    try:
        if probe.read_bytes() != payload:
            raise OSError("read back different bytes")
    finally:
        probe.unlink(missing_ok=True)


def check_storage(directory: Path) -> CheckResult:
    """The local storage backend's directory can be written, read back and cleaned."""
    details: dict[str, object] = {"backend": "local", "path": str(directory)}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_read_delete(directory)
    except OSError as exc:
        return CheckResult(
            "storage",
            "critical",
            f"Storage not writable: {exc.strerror or exc}",
            {**details, "writable": False},
        )
    return CheckResult("storage", "healthy", "Storage read/write OK", {**details, "writable": True})


def check_temp_directory(directory: Path, now: float | None = None) -> CheckResult:
    """The temp directory is writable; reports its size and files older than 24 hours."""
    now = time.time() if now is None else now
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_read_delete(directory)
    except OSError as exc:
        return CheckResult(
            "temp_directory",
            "critical",
            f"Temp directory not writable: {exc}",
            {"path": str(directory), "writable": False},
        )
    size, old = 0, 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                stat = (Path(root) / name).stat()
            except OSError:
                continue
            size += stat.st_size
            old += stat.st_mtime < now - DAY
    details = {"path": str(directory), "writable": True, "size_bytes": size, "old_files": old}
    if old:
        return CheckResult("temp_directory", "warning", f"{old} files older than 24 hours", details)
    return CheckResult("temp_directory", "healthy", "Temp directory healthy", details)


def check_log_files(settings: LogSettings) -> CheckResult:
    """The log directory exists and is writable; reports each file's size."""
    directory = settings.dir
    if not directory.is_dir() or not os.access(directory, os.W_OK):
        return CheckResult(
            "log_files",
            "critical",
            "Log directory missing or not writable",
            {"path": str(directory)},
        )
    sizes = {n: (directory / n).stat().st_size for n in LOG_FILES if (directory / n).exists()}
    missing = [n for n in LOG_FILES if n not in sizes]
    oversized = [n for n, s in sizes.items() if s > 2 * settings.rotation_size]
    details = {"path": str(directory), "sizes_bytes": sizes, "missing": missing}
    if oversized:
        return CheckResult(
            "log_files", "warning", "Log files not rotating: " + ", ".join(oversized), details
        )
    return CheckResult("log_files", "healthy", "Log files healthy", details)
