"""Fixtures shared by every test: the local stack, settings, unique topics."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from mediawatch_common.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]

# Services the tests start (`mediawatch run NAME`) serve no metrics unless a test gives them a
# port: two of one service, or the demo's services on the same host, would share a default port.
os.environ.setdefault("METRICS_PORT", "0")
STACK = REPO / "infra" / "stack"


def _stack(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(STACK / args[0]), *args[1:]], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def local_stack() -> None:
    """Make sure Kafka, PostgreSQL and ffmpeg are up, starting them when they are not.

    With MEDIAWATCH_EXTERNAL_STACK=1 the stack is left alone: KAFKA_BOOTSTRAP_SERVERS and
    DATABASE_URL point at servers someone else runs.
    """
    if os.environ.get("MEDIAWATCH_EXTERNAL_STACK") == "1":
        return
    if _stack("stack.sh", "status").returncode != 0:
        started = _stack("stack.sh", "up")
        if started.returncode != 0:
            pytest.fail(f"could not start the local stack:\n{started.stdout}\n{started.stderr}")


@pytest.fixture(scope="session")
def database_url(local_stack: None) -> str:
    """The PostgreSQL URL: DATABASE_URL, or the local cluster's."""
    url = os.environ.get("DATABASE_URL") or _stack("postgres.sh", "url").stdout.strip()
    assert url.startswith("postgresql://"), "no database URL from DATABASE_URL or the local stack"
    return url


@pytest.fixture(scope="session")
def settings(local_stack: None) -> Settings:
    """Settings as a service would read them, pointed at the local stack."""
    env = dict(os.environ)
    env.setdefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    return load_settings(env)


@pytest.fixture(scope="session")
def bootstrap(settings: Settings) -> str:
    """The broker list of the local Kafka."""
    return settings.kafka.bootstrap_servers


@pytest.fixture(scope="session")
def admin(bootstrap: str) -> AdminClient:
    """An admin client for the local Kafka."""
    return AdminClient({"bootstrap.servers": bootstrap})


@pytest.fixture
def new_topic(admin: AdminClient) -> Iterator[Callable[..., str]]:
    """Create topics with unique names for one test; delete them afterwards."""
    created: list[str] = []

    def make(label: str = "t", partitions: int = 1) -> str:
        name = f"test.{label}.{uuid.uuid4().hex[:10]}"
        futures = admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=30)
        futures[name].result()
        created.append(name)
        return name

    yield make
    if created:
        for future in admin.delete_topics(created, operation_timeout=30).values():
            future.result()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """An empty directory for log files."""
    path = tmp_path / "logs"
    path.mkdir()
    return path
