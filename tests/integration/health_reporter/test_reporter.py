"""``mediawatch run health`` publishes a HealthChecked of its host on its own each interval."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mediawatch_common.kafka import Topics

from .conftest import prefix_of
from .helpers import health_events, reporter, reporter_env

pytestmark = pytest.mark.integration

COMPONENTS = [
    "system_resources",
    "ffmpeg",
    "storage",
    "temp_directory",
    "log_files",
    "consumer_lag",
]


def test_a_reporter_publishes_every_check_of_its_host_each_interval(
    bootstrap: str, topics: Topics, tmp_path: Path
) -> None:
    env = reporter_env(bootstrap, prefix_of(topics), tmp_path, interval=2)
    with reporter(env, tmp_path / "reporter.log") as proc:
        events = health_events(bootstrap, topics.resources.name, 3, timeout=60)
        assert proc.poll() is None, (tmp_path / "reporter.log").read_text()

    assert len(events) == 3, (tmp_path / "reporter.log").read_text()
    assert {e.host for e in events} == {socket.gethostname()}
    assert {e.interval_seconds for e in events} == {2.0}
    assert {e.producer.service for e in events} == {"health-reporter"}
    times = [e.checked_at for e in events]
    assert times == sorted(times)
    assert len(set(times)) == 3
    checks = {c.component: c for c in events[-1].checks}
    assert list(checks) == COMPONENTS
    assert checks["ffmpeg"].status == "healthy", checks["ffmpeg"].message
    clip_bytes = checks["ffmpeg"].details["clip_bytes"]
    assert isinstance(clip_bytes, int)
    assert clip_bytes > 0
    assert checks["storage"].status == "healthy", checks["storage"].message
    assert checks["storage"].details["backend"] == "local"
    assert checks["temp_directory"].details["writable"] is True
    assert checks["log_files"].details["writable"] is True
    assert checks["consumer_lag"].status == "healthy", checks["consumer_lag"].message
    assert not list((tmp_path / "storage").rglob("*.probe")), "the probe object was left behind"
