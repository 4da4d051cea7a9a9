"""Health checks of the seed: resources, ffmpeg, storage, temp dir, pipeline, logs, Kafka, DB."""

from __future__ import annotations

from mediawatch_api.health.model import CheckResult, summary, worst
from mediawatch_api.health.runner import HealthRunner

__all__ = ["CheckResult", "HealthRunner", "summary", "worst"]
