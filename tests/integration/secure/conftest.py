"""A Kafka cluster of these tests' own with a SASL_SSL listener (``kafka.sh up --secure``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.conftest import schema  # noqa: F401 - a fixture, found by name

KAFKA = Path(__file__).resolve().parents[3] / "infra" / "stack" / "kafka.sh"
CLUSTER = "secure-e2e"
PORT = 29792  # SASL_SSL on 29842, controller on 29892: apart from every other test cluster


def _kafka(*args: str) -> str:
    done = subprocess.run(["bash", str(KAFKA), *args], capture_output=True, text=True,
                          timeout=240, check=False)  # fmt: skip
    assert done.returncode == 0, f"kafka.sh {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="package")
def secure_env(local_stack: None) -> Iterator[dict[str, str]]:
    """The KAFKA_* variables of the SASL_SSL listener of a fresh secured cluster."""
    _kafka("destroy", "--cluster", CLUSTER)
    _kafka("up", "--cluster", CLUSTER, "--port", str(PORT), "--secure")
    try:
        lines = _kafka("client-env", "--cluster", CLUSTER).splitlines()
        yield dict(line.split("=", 1) for line in lines if "=" in line)
    finally:
        _kafka("destroy", "--cluster", CLUSTER)
