"""Times and an alerter identity for the notifier's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mediawatch_common.events import Producer

T0 = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
ME = Producer(service="alerter", host="alerter-1", pid=9)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)
