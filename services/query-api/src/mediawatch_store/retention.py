"""Trim the projections to the configured retention (the Kafka log keeps the history)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from mediawatch_common.settings import RetentionSettings

_BY_TIME = {
    "resource_samples": "sampled_at",
    "window_results": "window_end",
    "health_checks": "checked_at",
}


def apply_retention(
    conn: Connection, retention: RetentionSettings, now: datetime
) -> dict[str, int]:
    """Delete metrics older than METRICS_RETENTION_HOURS, log records older than
    LOG_RETENTION_HOURS (default: the metrics' hours) and alerts beyond the newest
    ALERT_RETENTION_COUNT; returns the rows deleted per table."""
    cutoff = now - timedelta(hours=retention.metrics_retention_hours)
    deleted = {
        table: conn.execute(
            text(f"DELETE FROM {table} WHERE {column} < :cutoff"),  # noqa: S608 - constants
            {"cutoff": cutoff},
        ).rowcount
        for table, column in _BY_TIME.items()
    }
    deleted["log_records"] = conn.execute(
        text('DELETE FROM log_records WHERE "timestamp" < :cutoff'),
        {"cutoff": now - timedelta(hours=retention.log_hours)},
    ).rowcount
    deleted["alerts"] = conn.execute(
        text(
            "DELETE FROM alerts WHERE alert_id IN (SELECT alert_id FROM alerts "
            "ORDER BY raised_at DESC, alert_id OFFSET :keep)"
        ),
        {"keep": retention.alert_retention_count},
    ).rowcount
    # Deliveries older than every kept alert cannot list one of them any more.
    deleted["alert_deliveries"] = conn.execute(
        text(
            "DELETE FROM alert_deliveries WHERE at < "
            "(SELECT coalesce(min(raised_at), 'infinity') FROM alerts)"
        )
    ).rowcount
    deleted["silences"] = conn.execute(
        text("DELETE FROM silences WHERE least(ends_at, expired_at) < :cutoff"),
        {"cutoff": cutoff},
    ).rowcount
    return deleted
