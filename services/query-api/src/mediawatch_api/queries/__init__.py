"""Read-side queries of the projections, one module per endpoint family."""

from __future__ import annotations

from mediawatch_api.queries.alerts import list_alerts
from mediawatch_api.queries.logs import recent_logs
from mediawatch_api.queries.metrics import system_metrics
from mediawatch_api.queries.sessions import active_sessions, session_timeline
from mediawatch_api.queries.stats import processing_stats
from mediawatch_api.queries.windows import stage_windows

__all__ = [
    "active_sessions",
    "list_alerts",
    "processing_stats",
    "recent_logs",
    "session_timeline",
    "stage_windows",
    "system_metrics",
]
