"""The local Prometheus: its configuration and rules pass promtool, and the server runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "infra" / "prometheus"
PROMETHEUS = "http://127.0.0.1:9090"


@pytest.fixture(scope="module")
def promtool(local_stack: None) -> str:
    """The promtool the stack installed beside Prometheus."""
    path = shutil.which("promtool")
    assert path is not None, "promtool is not on PATH after the stack is up"
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


def test_promtool_accepts_the_config_and_every_rule_file(promtool: str) -> None:
    config = _run(promtool, "check", "config", str(CONFIG / "prometheus.yml"))
    assert config.returncode == 0, config.stdout + config.stderr
    rule_files = sorted(
        str(p) for folder in ("rules", "node-exporter") for p in (CONFIG / folder).glob("*.yml")
    )
    assert rule_files
    rules = _run(promtool, "check", "rules", *rule_files)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert rules.stdout.count("SUCCESS") == len(rule_files)


def test_promtool_rule_tests_pass(promtool: str) -> None:
    tests = sorted(str(p) for p in (CONFIG / "tests").glob("*.test.yml"))
    assert tests
    result = _run(promtool, "test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(tests), result.stdout


def test_the_stack_prometheus_scrapes_every_job_and_loads_every_rule(local_stack: None) -> None:
    # As `make up` does: the running server takes this checkout's configuration.
    up = _run("bash", str(REPO / "infra" / "stack" / "prometheus.sh"), "up")
    assert up.returncode == 0, up.stderr
    config = yaml.safe_load((CONFIG / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"] if "static_configs" in job}
    targets = httpx.get(f"{PROMETHEUS}/api/v1/targets", timeout=10).json()["data"]
    assert {t["scrapePool"] for t in targets["activeTargets"]} >= jobs
    assert {t["labels"]["job"] for t in targets["activeTargets"]} >= jobs

    declared = set()
    for path in (CONFIG / "rules").glob("*.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            declared |= {rule.get("alert") or rule["record"] for rule in group["rules"]}

    def groups() -> list[dict]:
        return list(httpx.get(f"{PROMETHEUS}/api/v1/rules", timeout=10).json()["data"]["groups"])

    def loaded() -> set[str]:
        return {rule["name"] for group in groups() for rule in group["rules"]}

    assert wait_for(lambda: loaded() == declared, timeout=30), loaded() ^ declared
    assert all(rule["health"] != "err" for group in groups() for rule in group["rules"])


def test_the_stack_prometheus_scrapes_itself(local_stack: None) -> None:
    def up() -> list[str]:
        result = httpx.get(
            f"{PROMETHEUS}/api/v1/query", params={"query": 'up{job="prometheus"}'}, timeout=10
        ).json()["data"]["result"]
        return [sample["value"][1] for sample in result]

    assert wait_for(lambda: up() == ["1"], timeout=30), up()


def _targets_dir() -> Path:
    out = _run("bash", str(REPO / "infra" / "stack" / "prometheus.sh"), "targets")
    assert out.returncode == 0, out.stderr
    return Path(out.stdout.strip())


def _active_jobs() -> set[str]:
    targets = httpx.get(f"{PROMETHEUS}/api/v1/targets", timeout=10).json()["data"]
    return {t["labels"]["job"] for t in targets["activeTargets"]}


def test_a_registered_target_is_scraped_under_its_job_until_removed(local_stack: None) -> None:
    job = f"mediawatch-selftest-{uuid.uuid4().hex[:8]}"
    entry = [{"targets": ["127.0.0.1:9090"], "labels": {"job": job}}]
    path = _targets_dir() / f"{job}.json"
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(entry))
    staged.rename(path)
    try:

        def up() -> list[str]:
            result = httpx.get(
                f"{PROMETHEUS}/api/v1/query", params={"query": f'up{{job="{job}"}}'}, timeout=10
            ).json()["data"]["result"]
            return [sample["value"][1] for sample in result]

        assert wait_for(lambda: up() == ["1"], timeout=60), up()
    finally:
        path.unlink()
    assert wait_for(lambda: job not in _active_jobs(), timeout=60)
