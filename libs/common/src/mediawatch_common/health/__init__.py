"""Health checks shared by the health reporter and the query API, and the runner of a report.

Each check returns a :class:`CheckResult`; :class:`CheckRunner` runs a set of them in parallel,
each bounded by the check timeout, into a :class:`HealthReport` that becomes a
``HealthChecked`` event.
"""

from __future__ import annotations

from mediawatch_common.health.ffmpeg import check_ffmpeg
from mediawatch_common.health.host import (
    check_host_resources,
    check_log_files,
    check_temp_directory,
    host_resources,
)
from mediawatch_common.health.lag import (
    check_consumer_lag,
    committed_lags,
    high_watermarks,
    judge_lags,
)
from mediawatch_common.health.results import (
    STATUSES,
    CheckResult,
    flatten,
    level_of,
    summary,
    worst,
)
from mediawatch_common.health.runner import Check, CheckRunner, HealthReport
from mediawatch_common.health.storage import check_storage, describe

__all__ = [
    "STATUSES",
    "Check",
    "CheckResult",
    "CheckRunner",
    "HealthReport",
    "check_consumer_lag",
    "check_ffmpeg",
    "check_host_resources",
    "check_log_files",
    "check_storage",
    "check_temp_directory",
    "committed_lags",
    "describe",
    "flatten",
    "high_watermarks",
    "host_resources",
    "judge_lags",
    "level_of",
    "summary",
    "worst",
]
