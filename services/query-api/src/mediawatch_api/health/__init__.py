"""The API's health: its own host's checks on demand, and every host's latest report."""

from __future__ import annotations

from mediawatch_api.health.reports import HostReport, detailed, latest_reports, merge
from mediawatch_api.health.runner import HealthRunner

__all__ = ["HealthRunner", "HostReport", "detailed", "latest_reports", "merge"]
