"""More members of the projector's consumer group, as child processes of one command.

With ``PROJECTOR_PROCESSES=N`` the command starts N - 1 copies of itself in the same consumer
group, so Kafka splits the partitions between them and decoding uses more than one core. A
member stops when its parent is gone; the parent restarts a member that fails. Each member
serves its metrics on a socket the parent opened for it (``member_metrics``).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)


def member_argv(parent: int) -> list[str]:
    """The command of one more member of ``parent``'s group (migrations already done)."""
    return [
        sys.executable,
        "-m",
        "mediawatch_common.cli",
        "run",
        "projector",
        "--no-migrate",
        "--processes",
        "1",
        "--member-of",
        str(parent),
    ]


MEMBER_ENVIRONMENT = {"METRICS_PORT": "0"}
"""Members do not serve ``METRICS_PORT`` (the parent does): each serves on the socket its
parent hands it, and the parent's scrapes include them (``docs/prometheus.md``)."""


def member_environment() -> dict[str, str]:
    """The environment of a member: the parent's, without a server on ``METRICS_PORT``."""
    return {**os.environ, **MEMBER_ENVIRONMENT}


def parent_gone(parent: int) -> bool:
    """True once the process that started this member has exited."""
    return os.getppid() != parent


class Members:
    """``count`` child processes running ``argv``, started again when one exits.

    With ``metrics`` (one listening socket per member), member ``i`` is handed ``metrics[i]``
    with ``--metrics-fd``, again after each restart.
    """

    def __init__(
        self,
        count: int,
        argv: Sequence[str],
        metrics: Sequence[socket.socket] = (),
        restart_after: float = 5.0,
    ) -> None:
        self._argv = list(argv)
        self._metrics = list(metrics)  # kept open (and served by members) while this runs
        self._restart_after = restart_after
        self._processes: list[subprocess.Popen[bytes]] = []
        self._started: list[float] = []
        self._count = count
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """How many members this runs besides the current process."""
        return self._count

    def _spawn(self, i: int) -> subprocess.Popen[bytes]:
        if not self._metrics:
            return subprocess.Popen(self._argv, env=member_environment())
        fd = self._metrics[i].fileno()
        argv = [*self._argv, "--metrics-fd", str(fd)]
        return subprocess.Popen(argv, env=member_environment(), pass_fds=(fd,))

    def start(self) -> None:
        with self._lock:
            for i in range(self._count):
                self._processes.append(self._spawn(i))
                self._started.append(time.monotonic())
        log.info("projector members started", extra={"members": self._count})

    def watch(self, stop: threading.Event, every: float = 1.0) -> None:
        """Until ``stop`` is set, start again a member that failed (exited with an error or
        was killed; at most once per ``restart_after`` seconds each). A member that stopped
        cleanly was told to (Ctrl-C reaches the whole process group)."""
        while not stop.wait(every):
            with self._lock:
                for i, process in enumerate(self._processes):
                    code = process.poll()
                    if (
                        code in (None, 0)
                        or time.monotonic() - self._started[i] < self._restart_after
                    ):
                        continue
                    log.warning("projector member exited; starting it again", extra={"code": code})
                    self._processes[i] = self._spawn(i)
                    self._started[i] = time.monotonic()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM every member (each finishes its batch in flight), SIGKILL those still
        running after ``timeout`` seconds."""
        with self._lock:
            running = [p for p in self._processes if p.poll() is None]
            for process in running:
                process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for process in running:
                try:
                    process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
