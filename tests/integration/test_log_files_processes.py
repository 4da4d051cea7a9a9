"""Two processes of one service write and rotate their log files at once: every record is
kept exactly once, because each process has a directory of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

RECORDS = 3000
WRITER = """
import logging, sys, time
from pathlib import Path
from mediawatch_common.logs import configure_logging
from mediawatch_common.settings import load_settings

root, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
env = {"LOG_DIR": str(root), "LOG_CONSOLE": "false", "LOG_ROTATION_SIZE": "16KB",
       "LOG_BACKUP_COUNT": "10000"}
print(configure_logging(load_settings(env).log, "transcoder"), flush=True)
while not go.exists():
    time.sleep(0.005)
log = logging.getLogger("mediawatch_transcoder.session")
for n in range(int(sys.argv[4])):
    log.info("stage completed", extra={"writer": name, "n": n})
"""


def _records(root: Path) -> list[tuple[str, int]]:
    found = []
    for path in root.glob("*/application.log*"):
        for line in path.read_text().splitlines():
            extra = json.loads(line)["extra"]
            found.append((extra["writer"], extra["n"]))
    return found


def test_two_writers_rotating_at_once_keep_every_record_once(tmp_path: Path) -> None:
    root, go = tmp_path / "logs", tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), name, str(go), str(RECORDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    directories = {Path(w.stdout.readline().strip()) for w in writers if w.stdout}
    go.touch()
    deadline = time.monotonic() + 120
    for writer in writers:
        writer.wait(timeout=max(1.0, deadline - time.monotonic()))
        assert writer.returncode == 0

    assert directories == {root / "transcoder", root / "transcoder-2"}
    for directory in directories:
        assert len(list(directory.glob("application.log.*"))) > 5  # rotated, many times
    found = _records(root)
    expected = [(name, n) for name in ("a", "b") for n in range(RECORDS)]
    assert sorted(found) == expected  # each record exactly once
