"""The stop deadline: ``SHUTDOWN_TIMEOUT_SECONDS``, and the forced exit (status 1) of a process
that does not stop by itself within it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mediawatch_common.settings import SettingsError, load_settings

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


def test_the_deadline_is_a_setting_of_25_seconds_by_default() -> None:
    assert load_settings({}).shutdown.timeout_seconds == 25.0
    env = {"SHUTDOWN_TIMEOUT_SECONDS": "12.5"}
    assert load_settings(env).shutdown.timeout_seconds == 12.5


@pytest.mark.parametrize("value", ["0", "-1", "forever", "601"])
def test_a_bad_deadline_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="SHUTDOWN_TIMEOUT_SECONDS"):
        load_settings({"SHUTDOWN_TIMEOUT_SECONDS": value})
