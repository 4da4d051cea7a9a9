"""Alerting events become rows: deliveries per attempt, silences, acknowledgements."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from mediawatch_common.events import (
    AlertAcknowledged,
    AlertDelivered,
    AlertDeliveryFailed,
    Event,
    Producer,
    SilenceCreated,
    SilenceExpired,
    SilenceMatcher,
)
from mediawatch_common.kafka import Record
from mediawatch_projector.alerting_rows import DELIVERY_COLUMNS, SILENCE_COLUMNS
from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.event_rows import build_rows

pytestmark = pytest.mark.unit

T = datetime(2026, 1, 1, tzinfo=UTC)
WHO = Producer(service="notifier", host="n-1", pid=1)
COMMON: dict[str, Any] = {
    "producer": WHO,
    "event_time": T,
    "notification_id": "ntf-1",
    "group_key": "g",
    "sink": "oncall",
    "sink_type": "slack",
    "status": "firing",
    "alert_ids": ("a1", "a2"),
    "duration_ms": 5.0,
}


def _rows(*events: Event) -> Rows:
    return build_rows([Record("alerts", 0, i, None, 0, e) for i, e in enumerate(events)])


def test_each_delivery_attempt_is_a_row_with_its_outcome() -> None:
    rows = _rows(
        AlertDeliveryFailed(
            **COMMON,
            attempt=1,
            http_status=None,
            error="timeout",
            final=False,
            retry_in_seconds=1.5,
        ),
        AlertDelivered(**COMMON, attempt=2, http_status=200, rate_limited_ms=3.0),
    )
    failed, delivered = (dict(zip(DELIVERY_COLUMNS, r, strict=True)) for r in rows.deliveries)
    assert failed["outcome"] == "failed"
    assert (failed["error"], failed["final"], failed["retry_in_seconds"]) == ("timeout", False, 1.5)
    assert failed["rate_limited_ms"] is None
    assert delivered["outcome"] == "delivered"
    assert (delivered["http_status"], delivered["rate_limited_ms"]) == (200, 3.0)
    assert (delivered["error"], delivered["final"]) == (None, None)
    assert delivered["alert_ids"] == ["a1", "a2"]
    assert rows.positions == {("alerts", 0): 2}


def test_silences_and_acknowledgements_are_collected() -> None:
    created = SilenceCreated(
        producer=WHO,
        event_time=T,
        silence_id="s1",
        matchers=(SilenceMatcher(label="rule", op="=~", value="high_.*"),),
        starts_at=T,
        ends_at=T,
        author="alice",
        comment="why",
    )
    expired = SilenceExpired(producer=WHO, silence_id="s1", reason="by bob", expired_at=T)
    ack = AlertAcknowledged(
        producer=WHO,
        event_time=T,
        alert_id="a1",
        fingerprint="fp",
        rule="r",
        acknowledged_by="bob",
        comment="INC-1",
    )
    rows = _rows(created, expired, ack)
    silence = dict(zip(SILENCE_COLUMNS, rows.silences_created["s1"], strict=True))
    assert json.loads(silence["matchers"]) == [{"label": "rule", "op": "=~", "value": "high_.*"}]
    assert (silence["author"], silence["created_at"]) == ("alice", T)
    assert rows.silences_expired == [("s1", T, "by bob")]
    assert rows.alerts_acknowledged == [("a1", T, "bob", "INC-1")]
