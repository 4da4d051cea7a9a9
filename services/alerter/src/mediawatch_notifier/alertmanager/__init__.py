"""Alertmanager in both directions: push our alerts to it, or speak its webhook format."""

from __future__ import annotations

from mediawatch_notifier.alertmanager.labels import (
    alert_annotations,
    alert_labels,
    fingerprint,
    generator_url,
    label_name,
)
from mediawatch_notifier.alertmanager.payloads import postable_alerts, rfc3339, webhook_message
from mediawatch_notifier.alertmanager.refresh import KEEP_RESOLVED_SECONDS, Refresher

__all__ = [
    "KEEP_RESOLVED_SECONDS",
    "Refresher",
    "alert_annotations",
    "alert_labels",
    "fingerprint",
    "generator_url",
    "label_name",
    "postable_alerts",
    "rfc3339",
    "webhook_message",
]
