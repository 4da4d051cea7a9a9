"""The local stack that `make up` starts: every part answers, and `up` twice is harmless."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration

STACK = Path(__file__).resolve().parents[2] / "infra" / "stack"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", *args], capture_output=True, text=True, check=False, timeout=300)


def test_up_twice_is_harmless_and_status_lists_every_part(local_stack: None) -> None:
    again = _run(str(STACK / "stack.sh"), "up")
    assert again.returncode == 0, again.stderr
    status = _run(str(STACK / "stack.sh"), "status")
    assert status.returncode == 0, status.stdout
    for part in ("ffmpeg", "ffprobe", "kafka/default/b1", "postgres", "prometheus", "alertmanager"):
        line = next(ln for ln in status.stdout.splitlines() if ln.startswith(part))
        assert " up " in f" {line} ", line
    assert "kafka 4." in status.stdout


def test_status_never_prints_the_database_password(database_url: str) -> None:
    password = database_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    status = _run(str(STACK / "stack.sh"), "status")
    assert password not in status.stdout + status.stderr


def test_postgres_accepts_our_role_and_keeps_rows(database_url: str) -> None:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        version = conn.execute("show server_version_num").fetchone()
        assert version is not None
        assert version[0].startswith("15")
        try:
            conn.execute(f"create schema {schema}")
            conn.execute(f"create table {schema}.probe (id int primary key, note text)")
            conn.execute(f"insert into {schema}.probe values (1, 'kept')")
            row = conn.execute(f"select note from {schema}.probe where id = 1").fetchone()
            assert row == ("kept",)
        finally:
            conn.execute(f"drop schema if exists {schema} cascade")


def test_ffmpeg_and_ffprobe_run(local_stack: None) -> None:
    for tool in ("ffmpeg", "ffprobe"):
        path = shutil.which(tool)
        assert path is not None, f"{tool} is not on PATH"
        version = subprocess.run([path, "-version"], capture_output=True, text=True, check=True)
        assert version.stdout.startswith(f"{tool} version")
