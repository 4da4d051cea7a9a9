"""The stack's Prometheus loads the alerting rules rendered with the environment's thresholds.

Runs a Prometheus of its own (its own stack directory and port), so the shared one keeps its
rules."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from tests.integration.helpers import wait_for
from tests.integration.prometheus.small_run import free_port

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).resolve().parents[3] / "infra" / "stack" / "prometheus.sh"


def _script(command: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), command],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def own_prometheus(local_stack: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a Prometheus in ``tmp_path``, stopped after the test."""
    assert shutil.which("prometheus"), "prometheus is not on PATH after the stack is up"
    env = {
        **os.environ,
        "MEDIAWATCH_STACK_DIR": str(tmp_path / "stack"),
        "MEDIAWATCH_PROMETHEUS_PORT": str(free_port()),
        "MEDIAWATCH_NO_INSTALL": "1",
        "LOG_DIR": str(tmp_path / "logs"),
    }
    for name in list(env):  # the thresholds are the test's own
        if name.startswith(("MONITORING_", "ALERTER_", "HEALTH_CHECK_")):
            del env[name]
    try:
        yield env
    finally:
        down = _script("down", env)
        assert down.returncode == 0, down.stderr


def _alert_queries(env: Mapping[str, str]) -> dict[tuple[str, str], str]:
    url = f"http://127.0.0.1:{env['MEDIAWATCH_PROMETHEUS_PORT']}/api/v1/rules?type=alert"
    groups = httpx.get(url, timeout=10).json()["data"]["groups"]
    return {
        (rule["name"], rule["labels"]["severity"]): rule["query"]
        for group in groups
        for rule in group["rules"]
    }


def test_monitoring_settings_reach_the_loaded_rules_at_up_and_reload(
    own_prometheus: dict[str, str],
) -> None:
    env = {
        **own_prometheus,
        "MONITORING_ERROR_RATE_THRESHOLD": "0.05",
        "MONITORING_CPU_THRESHOLD": "70",
    }
    up = _script("up", env)
    assert up.returncode == 0, up.stderr
    queries = _alert_queries(env)
    assert "ratio_rate5m > 0.05 and on" in queries[("MediawatchStageErrorRateHigh", "error")]
    assert queries[("MediawatchHostCpuHigh", "warning")].endswith("percent > 70")
    assert queries[("MediawatchHostCpuHigh", "critical")].endswith("percent > 95")
    assert queries[("MediawatchStageSlow", "warning")].endswith("p95_rate5m > 300")

    env["MONITORING_ERROR_RATE_THRESHOLD"] = "0.2"
    reload = _script("reload", env)
    assert reload.returncode == 0, reload.stderr
    assert "configuration reloaded" in reload.stderr + reload.stdout

    def error_rate_query() -> str:
        return _alert_queries(env)[("MediawatchStageErrorRateHigh", "error")]

    assert wait_for(lambda: "ratio_rate5m > 0.2 and on" in error_rate_query(), timeout=30), (
        error_rate_query()
    )


def test_a_bad_threshold_stops_the_start_naming_the_variable(
    own_prometheus: dict[str, str],
) -> None:
    up = _script("up", {**own_prometheus, "MONITORING_ERROR_RATE_THRESHOLD": "1.5"})
    assert up.returncode != 0
    assert "MONITORING_ERROR_RATE_THRESHOLD" in up.stderr
    assert "could not render the rules" in up.stderr
