"""The client's wheel stands alone: its own schemas, no Mediawatch package beside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]

PROBE = """
import importlib.util, sys
from pathlib import Path
from mediawatch_client import ClientConfig, MediaMonitor, ProcessingStage
from mediawatch_client.contract import SCHEMA_DIR
assert importlib.util.find_spec("mediawatch_common") is None, "mediawatch_common is installed"
assert "site-packages" in str(SCHEMA_DIR), SCHEMA_DIR
monitor = MediaMonitor(ClientConfig(bootstrap_servers="127.0.0.1:1", spool_dir=Path(sys.argv[1]),
                                    producer_name="wheel", delivery_timeout=0.3, close_timeout=2))
monitor.start_processing_sync("s1", "u1", ProcessingStage.UPLOAD, {"video_count": 2})
monitor.close()
print(monitor.config.pipeline_topic)
"""


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "venv" / "bin" / "uv")
    assert Path(found).exists(), "uv is not installed (make install puts it in .tools/)"
    return found


def test_the_wheel_carries_the_contract_and_reports_on_its_own(tmp_path: Path) -> None:
    uv = _uv()
    built = subprocess.run(
        [uv, "build", "--package", "mediawatch-client", "--wheel", "-o", str(tmp_path / "dist")],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("mediawatch_client-*.whl")
    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    for args in (["venv", "--python", sys.executable, str(venv)],
                 ["pip", "install", "--python", python, str(wheel)]):  # fmt: skip
        done = subprocess.run([uv, *args], capture_output=True, text=True, timeout=300,
                              check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE, str(tmp_path / "spool")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "mediawatch.pipeline"
    assert list((tmp_path / "spool" / "wheel").glob("*.seg")), "the event was not spooled"
