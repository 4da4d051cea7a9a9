"""Resource samples of a host: what a worker reports every few seconds beside its stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediawatch_client.event_builders import Micros, count, identifier, measure


@dataclass(frozen=True, slots=True)
class HostSample:
    """One measurement of a host, as ``ResourceSample`` carries it.

    Attributes:
        cpu_percent: System-wide CPU use, 0 to 100.
        memory_percent: System memory in use, 0 to 100.
        memory_used_mb: System memory in use, in MiB.
        disk_percent: Use of the disk holding ``disk_path``, 0 to 100.
        disk_path: The path whose file system was measured (normally the temp directory).
        temp_dir_bytes: Total size of the temporary directory in bytes.
        active_sessions: Sessions being processed on the host.
    """

    cpu_percent: float
    memory_percent: float
    memory_used_mb: float
    disk_percent: float
    disk_path: str
    temp_dir_bytes: int
    active_sessions: int

    def __post_init__(self) -> None:
        for name in ("cpu_percent", "memory_percent", "memory_used_mb", "disk_percent"):
            if measure(name, getattr(self, name)) is None:
                raise TypeError(f"{name} must be a number, not None")
        for name in ("temp_dir_bytes", "active_sessions"):
            if count(name, getattr(self, name)) is None:
                raise TypeError(f"{name} must be an int, not None")
        identifier("disk_path", self.disk_path)


def resource_sample(
    *, source: dict[str, Any], host: str, at: Micros, sample: HostSample
) -> dict[str, Any]:
    """A ``ResourceSample`` record of ``host``."""
    return {
        "event_time": at,
        "producer": source,
        "host": host,
        "cpu_percent": float(sample.cpu_percent),
        "memory_percent": float(sample.memory_percent),
        "memory_used_mb": float(sample.memory_used_mb),
        "disk_percent": float(sample.disk_percent),
        "disk_path": sample.disk_path,
        "temp_dir_bytes": sample.temp_dir_bytes,
        "active_sessions": sample.active_sessions,
    }
