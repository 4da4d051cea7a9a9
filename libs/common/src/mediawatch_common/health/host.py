"""Checks of this host: CPU, memory and disk, the temp directory, the log files."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import psutil

from mediawatch_common.health.results import CheckResult, level_of, worst
from mediawatch_common.settings import LogSettings, MonitoringSettings

DAY = 24 * 3600


def host_resources(monitoring: MonitoringSettings, path: Path) -> dict[str, object]:
    """CPU, memory and disk (of ``path``) of this host, with their statuses."""
    cpu = psutil.cpu_percent(interval=None)
    memory = psutil.virtual_memory().percent
    disk = psutil.disk_usage(str(existing(path))).percent
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


_RESOURCE_MESSAGES = {
    "healthy": "System resources healthy",
    "warning": "System resources high",
    "critical": "System resources critical",
}


def check_host_resources(monitoring: MonitoringSettings, path: Path) -> CheckResult:
    """This host's CPU, memory and disk against the ``MONITORING_*`` thresholds."""
    details = host_resources(monitoring, path)
    status = str(details.pop("status"))
    return CheckResult("system_resources", status, _RESOURCE_MESSAGES[status], details)


def existing(path: Path) -> Path:
    """``path`` or its nearest existing parent."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def write_read_delete(directory: Path) -> None:
    """Write a small probe file in ``directory``, read it back and remove it."""
    probe = directory / f".health-{uuid.uuid4().hex}"
    payload = uuid.uuid4().bytes
    probe.write_bytes(payload)
    try:
        if probe.read_bytes() != payload:
            raise OSError("read back different bytes")
    finally:
        probe.unlink(missing_ok=True)


def _tree(directory: Path, now: float) -> tuple[int, int]:
    """Total size of the files under ``directory`` and how many are older than a day."""
    size, old = 0, 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                stat = (Path(root) / name).stat()
            except OSError:
                continue
            size += stat.st_size
            old += stat.st_mtime < now - DAY
    return size, old


def check_temp_directory(
    directory: Path, monitoring: MonitoringSettings, now: float | None = None
) -> CheckResult:
    """The temp directory is writable and has room; files older than 24 hours are reported."""
    now = time.time() if now is None else now
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_read_delete(directory)
    except OSError as exc:
        return CheckResult(
            "temp_directory",
            "critical",
            f"Temp directory not writable: {exc}",
            {"path": str(directory), "writable": False},
        )
    usage = shutil.disk_usage(directory)
    percent = round(100.0 * usage.used / usage.total, 1) if usage.total else 0.0
    size, old = _tree(directory, now)
    details = {
        "path": str(directory),
        "writable": True,
        "size_bytes": size,
        "old_files": old,
        "free_bytes": usage.free,
        "disk_usage_percent": percent,
    }
    critical = monitoring.critical_threshold
    status = level_of(percent, min(monitoring.disk_threshold, critical), critical)
    if status != "healthy":
        return CheckResult("temp_directory", status, f"Temp disk {percent:.0f}% full", details)
    if old:
        return CheckResult("temp_directory", "warning", f"{old} files older than 24 hours", details)
    return CheckResult("temp_directory", "healthy", "Temp directory healthy", details)


def check_log_files(settings: LogSettings) -> CheckResult:
    """The log directory is writable; reports every ``*.log`` file's size and warns about a
    file past twice the rotation size (rotation not happening)."""
    directory = settings.dir
    try:
        write_read_delete(directory)
    except OSError as exc:
        return CheckResult(
            "log_files",
            "critical",
            f"Log directory missing or not writable: {exc.strerror or exc}",
            {"path": str(directory), "writable": False},
        )
    sizes = {
        str(path.relative_to(directory)): path.stat().st_size
        for path in sorted(directory.rglob("*.log"))
        if path.is_file()
    }
    oversized = [name for name, size in sizes.items() if size > 2 * settings.rotation_size]
    details = {
        "path": str(directory),
        "writable": True,
        "files": len(sizes),
        "total_bytes": sum(sizes.values()),
        "sizes_bytes": sizes,
    }
    if oversized:
        return CheckResult(
            "log_files", "warning", "Log files not rotating: " + ", ".join(oversized), details
        )
    return CheckResult("log_files", "healthy", "Log files healthy", details)
