"""When a session is stuck: one definition for the alerter, the API, the dashboard and health.

A session is **stuck** when it started more than ``MONITORING_STUCK_SESSION_MINUTES`` ago and
has not finished (neither completed its last stage nor failed), however busy it still is: a
session that keeps completing stages for two hours is stuck as much as one that went silent.
Its start is its first event (the request, or its first stage when no request was seen).

The API and the health check ask PostgreSQL the same question with ``started_at < cutoff``
on unfinished sessions, where ``cutoff`` is :func:`stuck_cutoff`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["is_stuck", "stuck_cutoff"]


def stuck_cutoff(now: datetime, stuck_minutes: float) -> datetime:
    """Sessions that started before this instant and have not finished are stuck at ``now``."""
    return now - timedelta(minutes=stuck_minutes)


def is_stuck(started_at: datetime, finished: bool, now: datetime, stuck_minutes: float) -> bool:
    """Whether a session that started at ``started_at`` is stuck at ``now``."""
    return not finished and started_at < stuck_cutoff(now, stuck_minutes)
