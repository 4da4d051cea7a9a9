"""Schemathesis fuzzes the running query API from its own OpenAPI document, with and without
an admin token, with every check it has (one excepted, below): no response is a 5xx; every
answer's status, headers, body schema and content type are ones the document declares; data
the document allows is accepted and data it forbids is refused; unsupported methods get 405
with ``Allow``; a protected route refuses a request without its token. The examples, fuzzing
and stateful phases run (the coverage phase fails inside schemathesis 4.32 on this document).

The API runs as ``mediawatch run api`` on a free port, in a schema and on topics of its own.
Examples are bounded (``--max-examples``, ``--max-time``) so both runs take under a minute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from confluent_kafka.admin import AdminClient

from ..integration.helpers import wait_for
from .pgcluster import free_port
from .topics import prefix_of, unique_topics

pytestmark = pytest.mark.reliability

BIN = Path(sys.executable).parent
PASSWORD = "fuzzing horse battery staple"
CHECKS = "all"
"""Every check schemathesis has; ``api_fuzz_hooks`` states the two rules of a new silence
that the OpenAPI document cannot express."""
NOT_APPLICABLE = "ensure_resource_availability"
"""Creating a silence (or an acknowledgement) answers 202 Accepted: the command is appended to
the event log and the silence exists once the projector has written it, later and in another
process (none runs here). The check asks a resource to be there right after its creation."""
HOOKS = "tests.reliability.api_fuzz_hooks"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api(database_url: str, admin: AdminClient, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The base URL of a running API and an admin's bearer token."""
    schema = f"rel_fuzz_{uuid.uuid4().hex[:8]}"
    port = free_port()
    with unique_topics(admin, "rel.fuzz") as topics:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DATABASE_SCHEMA": schema,
            "KAFKA_TOPIC_PREFIX": prefix_of(topics),
            "API_PORT": str(port),
            "API_JWT_SECRET": "fuzz-secret-" + uuid.uuid4().hex,
            "API_ENVIRONMENT": "production",
            "API_RATE_LIMIT_PER_MINUTE": "1000000",
            "TRANSCODER_STORAGE_DIR": str(tmp_path / "storage"),
            "HEALTH_CHECK_TEMP_DIR": str(tmp_path / "tmp"),
            "API_STREAM_LIFETIME_SECONDS": "1",
            "LOG_DIR": str(tmp_path / "logs"),
            "LOG_CONSOLE": "false",
        }
        out = (tmp_path / "api.out").open("wb")
        proc = subprocess.Popen([str(BIN / "mediawatch"), "run", "api"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:

            def up() -> bool:
                try:
                    return httpx.get(f"{base}/schema/openapi.json", timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False

            assert wait_for(up, timeout=60), (tmp_path / "api.out").read_text(errors="replace")
            subprocess.run([str(BIN / "mediawatch"), "users", "add", "fuzz-admin", "--role",
                            "admin", "--password-stdin"], input=PASSWORD.encode(), env=env,
                           check=True, capture_output=True, timeout=60)  # fmt: skip
            login = httpx.post(f"{base}/api/v1/auth/login", timeout=10,
                               json={"username": "fuzz-admin", "password": PASSWORD})  # fmt: skip
            assert login.status_code == 200, login.text
            yield base, login.json()["access_token"]
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            out.close()
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _fuzz(base: str, tmp_path: Path, label: str, headers: list[str]) -> tuple[int, str]:
    # One worker: on Python 3.11 two threads in ast.parse (hypothesis describes its strategies
    # that way) can fail with "AST constructor recursion depth mismatch" (CPython gh-106905).
    args = [str(BIN / "schemathesis"), "run", f"{base}/schema/openapi.json", "--checks", CHECKS,
            "--exclude-checks", NOT_APPLICABLE,
            "--max-examples", "8", "--max-time", "25", "--workers", "1", "--seed", "20261130",
            "--request-timeout", "10", "--phases", "examples,fuzzing,stateful", "--no-color",
            "--report", "junit", "--report-junit-path", str(tmp_path / f"{label}.xml")]  # fmt: skip
    for header in headers:
        args += ["-H", header]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False, env=env)
    return done.returncode, done.stdout + done.stderr


def _summary(output: str) -> str:
    words = ("passed", "failed", "operations", "Test cases", "test cases", "FAILURES")
    lines = [ln for ln in output.splitlines() if any(w in ln for w in words)]
    return " | ".join(ln.strip() for ln in lines[-6:])


def test_fuzzed_requests_with_and_without_a_token_get_only_declared_answers(
    api: tuple[str, str], tmp_path: Path
) -> None:
    base, token = api
    anonymous = _fuzz(base, tmp_path, "anonymous", [])
    admin = _fuzz(base, tmp_path, "admin", [f"Authorization: Bearer {token}"])
    print(f"API fuzzing without a token: exit={anonymous[0]} {_summary(anonymous[1])}")
    print(f"API fuzzing with an admin token: exit={admin[0]} {_summary(admin[1])}")
    assert anonymous[0] == 0, anonymous[1][-6000:]
    assert admin[0] == 0, admin[1][-6000:]
