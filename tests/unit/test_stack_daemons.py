"""A daemon the stack scripts start keeps no lock its caller held."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

LIB = Path(__file__).resolve().parents[2] / "infra" / "stack" / "lib.sh"

# As services.sh starts a service: a subshell that closes the lock fds and execs a
# long-running process in the background. The caller holds a flock on fd 9, as
# `flock FILE make demo` does for make and everything make runs.
SCRIPT = r"""
set -euo pipefail
source "$LIB"
exec 9>"$LOCK"
flock -n 9
( mw_close_lock_fds; exec sleep 30 ) &
daemon=$!
exec 9>&-
sleep 0.2
if flock -n "$LOCK" true; then echo free; else echo held; fi
ls -l /proc/$daemon/fd | grep -c -- "$LOCK" || true
kill "$daemon"
"""


def test_a_daemon_does_not_inherit_the_callers_lock(tmp_path: Path) -> None:
    lock = tmp_path / "demo.lock"
    result = subprocess.run(
        ["bash", "-c", SCRIPT],
        env={"LIB": str(LIB), "LOCK": str(lock), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["free", "0"]
