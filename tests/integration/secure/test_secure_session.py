"""A session end to end over SASL_SSL: the client library produces it, the aggregator and the
projector consume it, PostgreSQL shows it; a rejected login or an untrusted certificate stops
a service at once, naming the setting to fix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import psycopg
import pytest

from tests.integration.client.test_usage_example import USAGE
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))


@pytest.fixture
def service_env(
    secure_env: dict[str, str], database_url: str, schema: str, tmp_path: Path
) -> dict[str, str]:
    """A service's environment on the secured cluster only (the plaintext one is not named)."""
    tag = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    return env | secure_env | {
        "KAFKA_TOPIC_PREFIX": f"test.secure.{tag}",
        "DATABASE_URL": database_url,
        "DATABASE_SCHEMA": schema,
        "PROJECTOR_GROUP_ID": f"test-secure-projector-{tag}",
        "AGGREGATOR_APP_ID": f"test-secure-agg-{tag}",
        "AGGREGATOR_STATE_DIR": str(tmp_path / "state"),
        "AGGREGATOR_WINDOWS": "2,4/2",
        "AGGREGATOR_GRACE_SECONDS": "1",
        "AGGREGATOR_MAX_DELAY_SECONDS": "2",
        "AGGREGATOR_TICK_SECONDS": "0.3",
        "AGGREGATOR_PARTITIONS": "1",
        "MEDIAWATCH_SPOOL_DIR": str(tmp_path / "spool"),
        "MEDIAWATCH_PRODUCER_NAME": "upload-service",
        "LOG_DIR": str(tmp_path / "logs"),
        "LOG_CONSOLE": "false",
    }  # fmt: skip


@contextmanager
def service(name: str, env: dict[str, str], out: Path) -> Iterator[subprocess.Popen[bytes]]:
    with out.open("wb") as sink:
        proc = subprocess.Popen([MEDIAWATCH, "run", name], env=env, stdout=sink, stderr=sink)
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _count(database_url: str, schema: str, sql: str) -> int:
    with psycopg.connect(database_url, options=f"-csearch_path={schema}") as conn:
        row = conn.execute(sql).fetchone()
        return int(cast("int", row[0])) if row else 0


def test_a_session_travels_end_to_end_over_sasl_ssl(
    service_env: dict[str, str], database_url: str, schema: str, tmp_path: Path
) -> None:
    created = subprocess.run([MEDIAWATCH, "topics", "create"], env=service_env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.count("created") == 7, created.stdout
    with (
        service("aggregator", service_env, tmp_path / "aggregator.out"),
        service("projector", service_env, tmp_path / "projector.out") as projector,
    ):
        sent = subprocess.run([sys.executable, "-c", USAGE], env=service_env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        assert not list((tmp_path / "spool").rglob("*.seg")), "events were left in the spool"

        def projected(sql: str) -> int:
            return _count(database_url, schema, sql)

        session = "SELECT count(*) FROM sessions WHERE session_id = 'video_session_123'"
        assert wait_for(lambda: projected(f"{session} AND video_count = 3") == 1, timeout=60), (
            tmp_path / "projector.out"
        ).read_text()
        # The aggregator read the stage over SASL_SSL and its window came back the same way.
        window = "SELECT count(*) FROM window_results WHERE stage = 'merging' AND attempts >= 1"
        assert wait_for(lambda: projected(window) >= 1, timeout=90), (
            tmp_path / "aggregator.out"
        ).read_text()
        assert projector.poll() is None


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"KAFKA_SASL_PASSWORD": "not-the-password"}, "KAFKA_SASL_PASSWORD"),
        ({"KAFKA_SSL_CA_LOCATION": "other-ca"}, "KAFKA_SSL_CA_LOCATION"),
    ],
    ids=["wrong-password", "untrusted-certificate"],
)
def test_a_refused_connection_stops_the_service_naming_the_setting(
    service_env: dict[str, str], tmp_path: Path, change: dict[str, str], named: str
) -> None:
    env = dict(service_env)
    if "KAFKA_SASL_PASSWORD" in change:
        env.pop("KAFKA_SASL_PASSWORD_FILE")
    if change.get("KAFKA_SSL_CA_LOCATION") == "other-ca":
        other = tmp_path / "other-ca.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(tmp_path / "other.key"), "-out", str(other),
                        "-subj", "/CN=Some other CA"],
                       check=True, capture_output=True, timeout=60)  # fmt: skip
        change = {"KAFKA_SSL_CA_LOCATION": str(other)}
    env.update(change)
    # A retry loop would run into the deadline: the check gives up on a refusal at once.
    done = subprocess.run([MEDIAWATCH, "run", "projector"], env=env,
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert named in done.stderr
    assert "not-the-password" not in done.stderr + done.stdout
