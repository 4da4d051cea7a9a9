"""The stop deadline ends a process that does not stop by itself, with status 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

STUCK = """
import logging, sys, time
from mediawatch_common.shutdown import exit_by_deadline
logging.basicConfig(stream=sys.stderr)
exit_by_deadline(0.2)
exit_by_deadline(60)  # a second call keeps the first deadline
time.sleep(30)
"""


def test_a_stuck_process_exits_at_its_deadline_saying_so() -> None:
    done = subprocess.run([sys.executable, "-c", STUCK], capture_output=True, text=True,
                          timeout=20, check=False)  # fmt: skip
    assert done.returncode == 1
    assert "still stopping after the deadline" in done.stderr
