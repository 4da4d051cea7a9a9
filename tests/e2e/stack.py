"""Start the projector, the alerter and the API as real processes for a browser test."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(name: str, env: Mapping[str, str], log_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``mediawatch run NAME``, stopped with SIGTERM (then SIGKILL) afterwards."""
    out = (log_dir / f"{name}.out").open("wb")
    proc = subprocess.Popen(
        [MEDIAWATCH, "run", name], env=dict(env), stdout=out, stderr=subprocess.STDOUT
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        out.close()


def wait_until_serving(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Wait for the API's public health endpoint to answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the API exited during start-up"
        try:
            if httpx.get(f"{url}/api/v1/monitoring/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the API did not answer at {url}")


@contextmanager
def services(env: Mapping[str, str], log_dir: Path) -> Iterator[str]:
    """Projector, alerter and API running on ``env``; yields the API's base URL."""
    port = free_port()
    api_env = {**env, "API_PORT": str(port), "API_HOST": "127.0.0.1"}
    with ExitStack() as stack:
        stack.enter_context(process("projector", env, log_dir))
        stack.enter_context(process("alerter", env, log_dir))
        api = stack.enter_context(process("api", api_env, log_dir))
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, api)
        yield url


def environment(base: Mapping[str, str], **values: str) -> dict[str, str]:
    """The test process's environment with ``values`` on top."""
    env = dict(base)
    env.update(values)
    return env


__all__ = ["environment", "free_port", "services"]
