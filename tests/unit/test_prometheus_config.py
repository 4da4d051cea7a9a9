"""The local Prometheus's scrape config matches the ports the services serve their metrics on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mediawatch_api.settings import ApiSettings
from mediawatch_common.metrics import DEFAULT_PORTS

pytestmark = pytest.mark.unit

CONFIG = Path(__file__).resolve().parents[2] / "infra" / "prometheus" / "prometheus.yml"


def _static_targets() -> dict[str, list[str]]:
    jobs = yaml.safe_load(CONFIG.read_text())["scrape_configs"]
    return {
        job["job_name"]: [t for group in job["static_configs"] for t in group["targets"]]
        for job in jobs
        if "static_configs" in job
    }


def test_every_service_is_scraped_on_its_default_port() -> None:
    expected = {f"mediawatch-{name}": [f"127.0.0.1:{port}"] for name, port in DEFAULT_PORTS.items()}
    expected["mediawatch-api"] = [f"127.0.0.1:{ApiSettings.model_fields['port'].default}"]
    targets = _static_targets()
    assert {job: targets[job] for job in targets if job.startswith("mediawatch-")} == expected


def test_every_job_labels_its_service() -> None:
    for job in yaml.safe_load(CONFIG.read_text())["scrape_configs"]:
        if job["job_name"].startswith("mediawatch-") and "static_configs" in job:
            labels = [group["labels"]["service"] for group in job["static_configs"]]
            assert labels == [job["job_name"].removeprefix("mediawatch-")]
