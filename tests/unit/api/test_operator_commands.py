"""Operator commands: silence, expire, acknowledge — validated against projected state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mediawatch_api.operator_commands import (
    CommandError,
    MatcherInput,
    acknowledge_alert,
    create_silence,
    expire_silence,
)
from mediawatch_common.events import Producer

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
WHO = Producer(service="query-api", host="api-1", pid=1)
RULE = MatcherInput(label="rule", op="=", value="processing_failed")


def _status(call: Any) -> int:
    with pytest.raises(CommandError) as caught:
        call()
    return caught.value.status


def test_silence_runs_for_its_duration_from_now_or_its_start() -> None:
    event = create_silence([RULE], 90, " maintenance ", "alice", NOW, WHO)
    assert (event.starts_at, event.ends_at) == (NOW, NOW + timedelta(minutes=90))
    assert event.silence_id.startswith(f"silence_{int(NOW.timestamp())}_")
    assert (event.author, event.comment) == ("alice", "maintenance")
    assert [(m.label, m.op, m.value) for m in event.matchers] == [
        ("rule", "=", "processing_failed")
    ]
    later = NOW + timedelta(hours=2)
    assert create_silence([RULE], 5, "x", "a", NOW, WHO, later).ends_at == later + timedelta(
        minutes=5
    )
    other = create_silence([RULE], 90, "x", "alice", NOW, WHO)
    assert other.silence_id != event.silence_id


@pytest.mark.parametrize(
    ("matchers", "minutes", "comment"),
    [
        ([], 60, "why"),
        ([RULE] * 11, 60, "why"),
        ([MatcherInput(label="9bad", op="=", value="x")], 60, "why"),
        ([MatcherInput(label="rule", op="==", value="x")], 60, "why"),
        ([MatcherInput(label="rule", op="=~", value="(")], 60, "why"),
        ([MatcherInput(label="rule", op="=", value="x" * 201)], 60, "why"),
        ([RULE], 0, "why"),
        ([RULE], 30 * 24 * 60 + 1, "why"),
        ([RULE], 60, "   "),
        ([RULE], 60, "x" * 501),
    ],
)
def test_bad_silences_are_refused_with_400(
    matchers: list[MatcherInput], minutes: int, comment: str
) -> None:
    assert _status(lambda: create_silence(matchers, minutes, comment, "a", NOW, WHO)) == 400


def test_a_naive_start_time_is_refused() -> None:
    naive = datetime(2026, 1, 1)
    assert _status(lambda: create_silence([RULE], 5, "x", "a", NOW, WHO, naive)) == 400


def test_expiring_needs_a_silence_still_in_force() -> None:
    assert _status(lambda: expire_silence(None, "bob", NOW, WHO)) == 404
    done = {"id": "s1", "state": "expired"}
    assert _status(lambda: expire_silence(done, "bob", NOW, WHO)) == 409
    event = expire_silence({"id": "s1", "state": "pending"}, "bob", NOW, WHO)
    assert (event.silence_id, event.reason, event.expired_at) == ("s1", "expired by bob", NOW)


def _alert(**changes: Any) -> dict[str, Any]:
    alert = {
        "id": "alert_1_1",
        "fingerprint": "fp",
        "rule": "processing_failed",
        "status": "firing",
        "acknowledged": False,
        "acknowledged_by": None,
    }
    return {**alert, **changes}


def test_acknowledging_needs_a_firing_unacknowledged_alert() -> None:
    assert _status(lambda: acknowledge_alert(None, "bob", "", NOW, WHO)) == 404
    resolved = _alert(status="resolved")
    assert _status(lambda: acknowledge_alert(resolved, "bob", "", NOW, WHO)) == 409
    taken = _alert(acknowledged=True, acknowledged_by="carol")
    with pytest.raises(CommandError, match="carol"):
        acknowledge_alert(taken, "bob", "", NOW, WHO)
    assert _status(lambda: acknowledge_alert(_alert(), "bob", "x" * 501, NOW, WHO)) == 400
    event = acknowledge_alert(_alert(), "bob", " INC-1 ", NOW, WHO)
    assert (event.alert_id, event.fingerprint, event.rule) == (
        "alert_1_1",
        "fp",
        "processing_failed",
    )
    assert (event.acknowledged_by, event.comment, event.event_time) == ("bob", "INC-1", NOW)
