"""Kafka clusters of the reliability suite's own: started, broken and removed by the tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

KAFKA = Path(__file__).resolve().parents[2] / "infra" / "stack" / "kafka.sh"


def _kafka(*args: str, timeout: float = 240) -> str:
    done = subprocess.run(["bash", str(KAFKA), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"kafka.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Cluster:
    """A KRaft cluster on loopback ports of its own, apart from the shared stack."""

    name: str
    brokers: int
    port: int

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.port + i}" for i in range(self.brokers))

    def up(self) -> None:
        _kafka(
            "up", "--cluster", self.name, "--brokers", str(self.brokers), "--port", str(self.port)
        )

    def destroy(self) -> None:
        _kafka("destroy", "--cluster", self.name)

    def signal(self, broker: int, sig: str) -> None:
        """Send SIGKILL, SIGTERM, SIGSTOP or SIGCONT to one broker (numbered from 1)."""
        _kafka("kill-broker", "--cluster", self.name, "--broker", str(broker), "--signal", sig)

    def start(self, broker: int) -> None:
        """Start a stopped broker again and wait until it serves."""
        _kafka("start-broker", "--cluster", self.name, "--broker", str(broker))
