"""Read-side queries of the projections, one module per endpoint family."""

from __future__ import annotations

from mediawatch_api.queries.alerts import alert_changes, find_alert, latest_change, list_alerts
from mediawatch_api.queries.deadletters import dead_letter_counts
from mediawatch_api.queries.deliveries import alert_deliveries
from mediawatch_api.queries.logs import LogQuery, parse_since, recent_logs
from mediawatch_api.queries.metrics import system_metrics
from mediawatch_api.queries.series import window_series
from mediawatch_api.queries.sessions import ActiveFilter, active_sessions, session_timeline
from mediawatch_api.queries.silences import find_silence, list_silences
from mediawatch_api.queries.stats import processing_stats
from mediawatch_api.queries.windows import stage_windows

__all__ = [
    "ActiveFilter",
    "LogQuery",
    "active_sessions",
    "alert_changes",
    "alert_deliveries",
    "dead_letter_counts",
    "find_alert",
    "find_silence",
    "latest_change",
    "list_alerts",
    "list_silences",
    "parse_since",
    "processing_stats",
    "recent_logs",
    "session_timeline",
    "stage_windows",
    "system_metrics",
    "window_series",
]
