"""Custom alerts: a pipeline's own conditions become "Custom Alert: <type>" alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mediawatch_common.events import (
    AlertLevel,
    AlertRaised,
    AlertResolved,
    CustomAlertReported,
    Producer,
    SilenceCreated,
    SilenceMatcher,
)

from .helpers import T0, at, evaluator

pytestmark = pytest.mark.unit

PIPELINE = Producer(service="upload-service", host="web-1", pid=3)


def reported(t: float = 0.0, **kw: Any) -> CustomAlertReported:
    fields: dict[str, Any] = {
        "alert_type": "upload_quota_low",
        "level": AlertLevel.WARNING,
        "labels": {"bucket": "uploads-eu"},
        "context": {"free_gb": 12.5},
        **kw,
    }
    return CustomAlertReported(event_time=at(t), producer=PIPELINE, **fields)


def test_a_report_raises_an_alert_titled_after_its_type() -> None:
    ev, clock = evaluator()
    clock.set(at(1))
    (alert,) = [e for e in ev.handle(reported(session_id="s1")) if isinstance(e, AlertRaised)]
    assert (alert.rule, alert.level, alert.title, alert.message) == (
        "custom_alert",
        AlertLevel.WARNING,
        "Custom Alert: upload_quota_low",
        "Custom alert triggered: upload_quota_low",
    )
    assert alert.labels == {
        "alert_type": "upload_quota_low",
        "bucket": "uploads-eu",
        "host": "web-1",
        "service": "upload-service",
    }
    assert alert.metadata == {"alert_type": "upload_quota_low", "custom_context.free_gb": 12.5}
    assert (alert.session_id, alert.starts_at) == ("s1", T0)


def test_reporting_again_does_not_raise_twice_and_resolving_clears_it() -> None:
    ev, clock = evaluator()
    first = ev.handle(reported())
    clock.set(T0 + timedelta(days=2))  # custom alerts do not expire on their own
    assert ev.tick() == []
    assert ev.handle(reported(t=60)) == []
    (resolved,) = ev.handle(reported(t=120, resolved=True, level=AlertLevel.INFO, context={}))
    assert isinstance(resolved, AlertResolved)
    assert resolved.fingerprint == first[0].fingerprint  # type: ignore[union-attr]
    assert resolved.reason == "resolved by the pipeline"


def test_other_labels_are_another_alert_and_a_message_is_kept() -> None:
    ev, _ = evaluator()
    ev.handle(reported())
    (other,) = ev.handle(reported(labels={"bucket": "uploads-us"}, message="12 GB left"))
    assert isinstance(other, AlertRaised)
    assert other.message == "12 GB left"
    assert other.labels["bucket"] == "uploads-us"


def test_a_higher_level_replaces_the_alert_with_a_critical_one() -> None:
    ev, _ = evaluator()
    (warning,) = ev.handle(reported())
    resolved, critical = ev.handle(reported(t=5, level=AlertLevel.CRITICAL))
    assert isinstance(resolved, AlertResolved)
    assert isinstance(critical, AlertRaised)
    assert resolved.alert_id == warning.alert_id  # type: ignore[union-attr]
    assert (critical.level, critical.fingerprint) == (AlertLevel.CRITICAL, resolved.fingerprint)


def test_silences_apply_to_custom_alerts() -> None:
    ev, clock = evaluator()
    ev.handle(
        SilenceCreated(
            event_time=T0,
            producer=PIPELINE,
            silence_id="silence_1",
            matchers=(SilenceMatcher(label="alert_type", op="=", value="upload_quota_low"),),
            starts_at=T0,
            ends_at=T0 + timedelta(hours=1),
            author="alice",
            comment="known",
        )
    )
    clock.set(at(1))
    assert [e for e in ev.handle(reported(t=1)) if isinstance(e, AlertRaised)] == []
