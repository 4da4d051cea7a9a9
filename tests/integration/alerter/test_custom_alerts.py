"""A pipeline's custom alert, reported with the client, raised and resolved by the alerter."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediawatch_client import AlertLevel, MediaMonitor
from mediawatch_common.events import AlertRaised, AlertResolved, CustomAlertReported
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import Settings

from ..helpers import wait_for
from .running import alert_events, alerter, background

pytestmark = pytest.mark.integration


def test_create_and_resolve_custom_alert_through_the_alerter(
    isolated: tuple[Settings, Topics], tmp_path: Path
) -> None:
    settings, topics = isolated
    monitor = MediaMonitor(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        topic_prefix=settings.kafka.topic_prefix,
        producer_name="upload-service",
        spool_dir=tmp_path,
    )
    with background(alerter(settings)):
        monitor.create_custom_alert_sync(
            "upload_quota_low", level=AlertLevel.ERROR, labels={"bucket": "eu"}, free_gb=12.5
        )
        assert wait_for(
            lambda: any(isinstance(e, AlertRaised) for e in alert_events(settings, topics, 2)),
            timeout=30,
        )
        monitor.resolve_custom_alert_sync("upload_quota_low", bucket="eu")
        assert wait_for(
            lambda: any(isinstance(e, AlertResolved) for e in alert_events(settings, topics, 4)),
            timeout=30,
        )
    monitor.close()
    events = alert_events(settings, topics, 4)
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "CustomAlertReported", "AlertRaised", "CustomAlertReported", "AlertResolved",
    ]  # fmt: skip
    reported, raised, _, resolved = events
    assert isinstance(reported, CustomAlertReported)
    assert isinstance(raised, AlertRaised)
    assert isinstance(resolved, AlertResolved)
    assert (raised.title, raised.level.name, raised.labels["bucket"]) == (
        "Custom Alert: upload_quota_low",
        "ERROR",
        "eu",
    )
    assert raised.metadata["custom_context.free_gb"] == 12.5
    assert (resolved.alert_id, resolved.reason) == (raised.alert_id, "resolved by the pipeline")
