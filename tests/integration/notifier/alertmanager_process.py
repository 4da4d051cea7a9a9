"""A real Alertmanager of a test's own: free port, own data dir, routes to a test webhook."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..helpers import wait_for

ROOT = Path(__file__).resolve().parents[3]

CONFIG = """\
route:
  receiver: test
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: {webhook}
        send_resolved: true
"""


def binary() -> str:
    """Debian's ``prometheus-alertmanager`` (or upstream's ``alertmanager``), installed by
    the stack script when missing."""
    found = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if found is None:
        subprocess.run(
            ["bash", str(ROOT / "infra/stack/alertmanager.sh"), "ensure"], check=True, timeout=600
        )
        found = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    assert found is not None, "no Alertmanager binary after infra/stack/alertmanager.sh ensure"
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def alertmanager(workdir: Path, webhook: str, port: int | None = None) -> Iterator[str]:
    """Alertmanager on 127.0.0.1 (clustering off) routing every alert to ``webhook``;
    yields its base URL and stops it afterwards."""
    port = port or free_port()
    config = workdir / "alertmanager.yml"
    config.write_text(CONFIG.format(webhook=webhook))
    log = (workdir / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [
            binary(),
            f"--config.file={config}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _ready(base) or process.poll() is not None, timeout=30)
        assert process.poll() is None, (workdir / "alertmanager.log").read_text()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
