"""A background thread reporting the host's resources (``ResourceSample``) every few seconds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import psutil

from mediawatch_client import HostSample
from mediawatch_common.periodic import Periodic
from mediawatch_transcoder.workspace import tree_bytes

log = logging.getLogger("mediawatch_transcoder.resources")
MIB = 1024 * 1024


def sample(temp_dir: Path, active_sessions: int) -> HostSample:
    """One sample of this host: CPU, memory, the temp directory's disk and size."""
    memory = psutil.virtual_memory()
    temp_dir.mkdir(parents=True, exist_ok=True)
    disk = psutil.disk_usage(str(temp_dir))
    return HostSample(
        cpu_percent=psutil.cpu_percent(interval=None),
        memory_percent=memory.percent,
        memory_used_mb=round((memory.total - memory.available) / MIB, 1),
        disk_percent=disk.percent,
        disk_path=str(temp_dir.resolve()),
        temp_dir_bytes=tree_bytes(temp_dir),
        active_sessions=active_sessions,
    )


class ResourceSampler:
    """Calls ``report`` with a fresh :func:`sample` every ``interval`` seconds until stopped
    (``MediaMonitor.report_resources_sync`` in the worker)."""

    def __init__(
        self,
        report: Callable[[HostSample], None],
        temp_dir: Path,
        active_sessions: Callable[[], int],
        interval: float,
    ) -> None:
        self._report = report
        self._temp_dir = temp_dir
        self._active = active_sessions
        self._sampling = Periodic(self._sample_once, interval, "resource-sampler", at_start=True)
        self.emitted = 0

    def start(self) -> ResourceSampler:
        """Start sampling (the first sample is taken at once)."""
        psutil.cpu_percent(interval=None)  # primes the counter so the first value is real
        self._sampling.start()
        return self

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self._sampling.stop()

    def _sample_once(self) -> None:
        try:
            self._report(sample(self._temp_dir, self._active()))
        except Exception:
            log.exception("resource sample failed")
        self.emitted += 1
