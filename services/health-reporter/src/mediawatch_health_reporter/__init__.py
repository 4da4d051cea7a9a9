"""The health reporter: every check of its host, each interval, as a HealthChecked event."""

from __future__ import annotations

from mediawatch_health_reporter.checks import host_checks
from mediawatch_health_reporter.reporter import HealthReporter, RunCost

__all__ = ["HealthReporter", "RunCost", "host_checks"]
