"""A Kafka cluster of these tests' own with a SASL_SSL listener (``kafka.sh up --secure``)."""

from __future__ import annotations

import random
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.conftest import schema  # noqa: F401 - a fixture, found by name

KAFKA = Path(__file__).resolve().parents[3] / "infra" / "stack" / "kafka.sh"


def _kafka(*args: str) -> str:
    done = subprocess.run(["bash", str(KAFKA), *args], capture_output=True, text=True,
                          timeout=240, check=False)  # fmt: skip
    assert done.returncode == 0, f"kafka.sh {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _base_port() -> int:
    """A base port P whose broker (P), SASL_SSL (P + 50) and controller (P + 100) ports are free."""
    candidates = list(range(39300, 39900, 10))
    random.shuffle(candidates)
    for port in candidates:
        if all(_free(port + offset) for offset in (0, 50, 100)):
            return port
    raise RuntimeError("no free ports for a secured test cluster in 39300..39999")


@pytest.fixture(scope="package")
def secure_env(local_stack: None) -> Iterator[dict[str, str]]:
    """The KAFKA_* variables of the SASL_SSL listener of a fresh secured cluster."""
    name = f"secure-{uuid.uuid4().hex[:8]}"
    _kafka("up", "--cluster", name, "--port", str(_base_port()), "--secure")
    try:
        lines = _kafka("client-env", "--cluster", name).splitlines()
        yield dict(line.split("=", 1) for line in lines if "=" in line)
    finally:
        _kafka("destroy", "--cluster", name)
