"""Alertmanager's shapes: labels, fingerprint, pushed alerts, webhook v4, refreshes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr

from mediawatch_common.alerting import parse_matcher
from mediawatch_common.events import AlertLevel, AlertRaised, SilenceCreated
from mediawatch_notifier.alertmanager import (
    Refresher,
    alert_annotations,
    alert_labels,
    fingerprint,
    postable_alerts,
    webhook_message,
)
from mediawatch_notifier.grouping import Dispatcher, Notification
from mediawatch_notifier.payloads import request_for
from mediawatch_notifier.routing import RoutingError, Sink, parse_routing
from mediawatch_notifier.settings import NotifierSettings

from .helpers import ME, T0, at
from .test_notifier_core import alert, resolved, route

pytestmark = pytest.mark.unit

V4_FIELDS = {
    "version",
    "groupKey",
    "truncatedAlerts",
    "receiver",
    "status",
    "alerts",
    "groupLabels",
    "commonLabels",
    "commonAnnotations",
    "externalURL",
}
V4_ALERT_FIELDS = {
    "status",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "generatorURL",
    "fingerprint",
}
DASHBOARD = "https://mw.example.com/"


def notification(firing: tuple[AlertRaised, ...], done: tuple = ()) -> Notification:
    return Notification("ntf_1_1", route(), "route=oncall,rule=processing_failed", firing, done)


def test_fingerprint_is_prometheus_label_set_fingerprint() -> None:
    # Vectors of prometheus/common model's own fingerprint tests.
    assert fingerprint({}) == f"{14695981039346656037:016x}"
    pair = {"name": "garland, briggs", "fear": "love is not enough"}
    assert fingerprint(pair) == f"{5799056148416392346:016x}"
    assert fingerprint(dict(reversed(pair.items()))) == fingerprint(pair)
    assert fingerprint({"a": "bc"}) != fingerprint({"ab": "c"})


def test_labels_name_the_rule_and_level_and_keep_the_alert_labels() -> None:
    a = alert(1)
    custom = AlertRaised(
        **{
            **{f: getattr(a, f) for f in a.__dataclass_fields__},
            "rule": "custom_alert",
            "level": AlertLevel.WARNING,
            "labels": {"alert_type": "quota", "custom.zone": "eu-1", "empty": ""},
            "session_id": None,
            "stage": None,
            "metadata": {"custom_context.batch": 7, "retried": True},
        }
    )

    assert alert_labels(a) == {
        "alertname": "processing_failed",
        "host": "worker-1",
        "session_id": "s1",
        "severity": "error",
        "stage": "merging",
    }
    assert alert_labels(custom) == {
        "alert_type": "quota",
        "alertname": "custom_alert",
        "custom_zone": "eu-1",
        "severity": "warning",
    }
    assert alert_annotations(custom) == {
        "alert_id": "alert_1_1",
        "custom_context_batch": "7",
        "description": "Session s1 failed at merging: boom",
        "retried": "true",
        "summary": "Processing Failed: merging",
        "user_id": "u",
    }


def test_pushed_alerts_hold_while_firing_and_end_when_resolved() -> None:
    firing, gone = alert(1), alert(2)
    again = AlertRaised(
        **{**{f: getattr(gone, f) for f in gone.__dataclass_fields__}, "alert_id": "alert_9_9"}
    )
    n = notification((firing,), ((gone, resolved(gone, 30)), (alert(3), resolved(alert(3), 40))))

    first, second, third = postable_alerts(n, at(100), 240, DASHBOARD)
    assert [p["labels"]["session_id"] for p in (first, second, third)] == ["s2", "s3", "s1"]
    assert third["startsAt"] == "2026-01-05T12:00:00.000Z"
    assert third["endsAt"] == "2026-01-05T12:05:40.000Z"
    assert third["generatorURL"] == "https://mw.example.com/sessions/s1"
    assert first["endsAt"] == "2026-01-05T12:00:30.000Z"
    assert set(third) == {"labels", "annotations", "startsAt", "endsAt", "generatorURL"}
    assert "generatorURL" not in postable_alerts(n, at(100), 240, None)[0]
    # The same condition raised anew: its old resolution is not sent beside it.
    both = notification((again,), ((gone, resolved(gone, 30)),))
    assert [p["annotations"]["alert_id"] for p in postable_alerts(both, T0, 60, None)] == [
        "alert_9_9"
    ]


def test_webhook_message_has_alertmanager_v4_fields() -> None:
    a1, a2 = alert(1), alert(2, host="worker-2")
    body = webhook_message(notification((a1,), ((a2, resolved(a2)),)), "audit", DASHBOARD)

    assert set(body) == V4_FIELDS
    assert (body["version"], body["receiver"], body["status"]) == ("4", "audit", "firing")
    assert body["groupKey"] == "route=oncall,rule=processing_failed"
    assert body["truncatedAlerts"] == 0
    assert body["externalURL"] == "https://mw.example.com"
    assert body["groupLabels"] == {"alertname": "processing_failed"}
    assert body["commonLabels"] == {
        "alertname": "processing_failed",
        "severity": "error",
        "stage": "merging",
    }
    assert body["commonAnnotations"] == {"summary": "Processing Failed: merging", "user_id": "u"}
    resolved_one, firing_one = body["alerts"]
    assert all(set(a) == V4_ALERT_FIELDS for a in body["alerts"])
    assert (firing_one["status"], firing_one["endsAt"]) == ("firing", "0001-01-01T00:00:00Z")
    assert (resolved_one["status"], resolved_one["endsAt"]) == (
        "resolved",
        "2026-01-05T12:01:00.000Z",
    )
    assert firing_one["fingerprint"] == fingerprint(firing_one["labels"])
    again = webhook_message(notification((a1,)), "other", None)
    assert again["alerts"][0]["fingerprint"] == firing_one["fingerprint"]
    assert again["alerts"][0]["generatorURL"] == ""


def test_alertmanager_sink_gets_a_list_and_no_signature() -> None:
    n = notification((alert(1),))
    sink = Sink("am", "alertmanager", SecretStr("http://am.test/api/v2/alerts"))
    raw, headers = request_for(sink, n, int(at(10).timestamp()), DASHBOARD)
    (pushed,) = json.loads(raw)
    assert pushed["endsAt"] == "2026-01-05T12:04:10.000Z"  # 4 resend intervals of 60 s
    assert "X-Mediawatch-Signature" not in headers
    hook = Sink("w", "webhook", SecretStr("https://x.test"), SecretStr("k"), format="alertmanager")
    raw, headers = request_for(hook, n, 0)
    assert json.loads(raw)["version"] == "4"
    assert headers["X-Mediawatch-Signature"].startswith("sha256=")


def test_routing_file_alertmanager_sink_and_webhook_format() -> None:
    text = """
sinks:
  am: {type: alertmanager, url: "http://am.test:9093/", resend_interval_seconds: 30}
  am2: {type: alertmanager, url: "http://am.test:9093/api/v2/alerts"}
  hook: {type: webhook, url: "https://x.test", secret: k, format: alertmanager}
routes: [{sinks: [am, am2, hook]}]
"""
    sinks = parse_routing(text, NotifierSettings(), {}).sinks
    assert sinks["am"].url.get_secret_value() == "http://am.test:9093/api/v2/alerts"
    assert sinks["am2"].url.get_secret_value() == "http://am.test:9093/api/v2/alerts"
    assert (sinks["am"].resend_interval_seconds, sinks["am2"].resend_interval_seconds) == (30, 60)
    assert sinks["hook"].format == "alertmanager"
    bad = {
        "{type: slack, url: 'https://x.test', format: alertmanager}": "webhook sink only",
        "{type: webhook, url: 'https://x.test', secret: k, resend_interval_seconds: 30}": (
            "alertmanager sink only"
        ),
        "{type: alertmanager, url: 'http://x.test', resend_interval_seconds: 1}": "greater than",
        "{type: alertmanager, url: 'http://x.test', secret: k}": "takes no secret",
    }
    for sink, problem in bad.items():
        with pytest.raises(RoutingError, match=problem):
            parse_routing(f"sinks: {{a: {sink}}}\nroutes: [{{sinks: [a]}}]", NotifierSettings(), {})


def test_firing_for_a_sink_lists_announced_unsilenced_alerts() -> None:
    d = Dispatcher([route(sinks=("am",), group_wait_seconds=5), route(name="chat")])
    d.accept(alert(1), None, T0)
    assert d.firing_for("am", T0) == []  # still in its group wait
    d.due(at(5))
    assert [a.alert_id for a in d.firing_for("am", at(5))] == ["alert_1_1"]
    assert d.firing_for("nowhere", at(5)) == []
    d.accept(
        SilenceCreated(
            producer=ME,
            silence_id="silence_1_1",
            matchers=(parse_matcher("session_id=s1"),),
            starts_at=at(6),
            ends_at=at(600),
            author="op",
            comment="deploy",
        ),
        None,
        at(6),
    )
    assert d.firing_for("am", at(7)) == []


def test_refresher_pushes_each_sink_once_per_interval() -> None:
    one = alert(1)
    firing: dict[str, list[AlertRaised]] = {"am": [one], "idle": []}
    r = Refresher({"am": 60.0, "idle": 60.0})

    ((sink, first),) = r.due(T0, lambda s: firing[s])
    assert (sink, first.firing, first.resolved, first.route.sinks) == ("am", (one,), (), ("am",))
    assert r.due(at(61), lambda s: firing[s]) == []  # the first is still in flight
    r.finished("am")
    assert r.due(at(30), lambda s: firing[s]) == []
    gone = alert(2)
    r.noted(Notification("n", route(sinks=("am", "chat")), "k", (), ((gone, resolved(gone, 50)),)))
    ((_, second),) = r.due(at(61), lambda s: firing[s])
    assert [a.alert_id for a, _ in second.resolved] == ["alert_1_2"]
    r.finished("am")
    firing["am"] = []
    late = at(50) + timedelta(minutes=15)
    assert r.due(late, lambda s: firing[s]) == []  # resolved long enough ago: dropped


def test_a_resolution_dispatched_during_a_refresh_makes_the_next_one_due_at_once() -> None:
    one = alert(1)
    firing: list[AlertRaised] = [one]
    r = Refresher({"am": 60.0})
    ((_, stale),) = r.due(T0, lambda _s: firing)
    assert stale.firing == (one,)
    firing.clear()
    r.noted(Notification("n", route(sinks=("am",)), "k", (), ((one, resolved(one, 1)),)))
    r.finished("am")

    ((_, fixed),) = r.due(at(2), lambda _s: firing)
    assert (fixed.firing, [a for a, _ in fixed.resolved]) == ((), [one])
    r.finished("am")
    assert r.due(at(3), lambda _s: firing) == []
