"""Notifier logic without a broker: grouping, routing, retry policy, rate limit, offsets, URLs."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import SecretStr

from mediawatch_common.alerting import parse_matcher
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, SilenceCreated, Stage
from mediawatch_notifier.grouping import Dispatcher
from mediawatch_notifier.payloads import request_for
from mediawatch_notifier.pending_offsets import PendingOffsets, Token
from mediawatch_notifier.rate_limit import TokenBucket
from mediawatch_notifier.retry_policy import RetryPolicy, parse_retry_after
from mediawatch_notifier.routing import (
    Route,
    RoutingError,
    Sink,
    load_routing,
    parse_routing,
)
from mediawatch_notifier.settings import NotifierSettings
from mediawatch_notifier.url_safety import UnsafeUrlError, check_url, redact

from .helpers import ME, T0, at

pytestmark = pytest.mark.unit

ALL = frozenset({"info", "warning", "error", "critical"})


def alert(
    n: int,
    level: AlertLevel = AlertLevel.ERROR,
    rule: str = "processing_failed",
    host: str = "worker-1",
) -> AlertRaised:
    return AlertRaised(
        event_time=T0,
        producer=ME,
        alert_id=f"alert_1_{n}",
        fingerprint=f"{rule}{{session_id=s{n}}}",
        rule=rule,
        level=level,
        title="Processing Failed: merging",
        message=f"Session s{n} failed at merging: boom",
        session_id=f"s{n}",
        user_id="u",
        stage=Stage.MERGING,
        labels={"session_id": f"s{n}", "host": host},
        starts_at=T0,
    )


def resolved(a: AlertRaised, t: float = 60) -> AlertResolved:
    return AlertResolved(
        producer=ME,
        alert_id=a.alert_id,
        fingerprint=a.fingerprint,
        rule=a.rule,
        reason="cleared",
        ends_at=at(t),
    )


def route(**kw: object) -> Route:
    base: dict[str, object] = {
        "name": "oncall",
        "levels": ALL,
        "sinks": ("slack",),
        "group_wait_seconds": 10,
        "repeat_interval_seconds": 3600,
    }
    return Route(**{**base, **kw})  # type: ignore[arg-type]


def test_a_burst_within_group_wait_is_one_message() -> None:
    d = Dispatcher([route()])
    for n in range(50):
        assert d.accept(alert(n), Token("a", 0, n), at(n * 0.1)) == 1

    assert d.due(at(9.9)) == []
    (message,) = d.due(at(10))
    assert len(message.firing) == 50
    assert message.status == "firing"
    assert message.group_key == "route=oncall,rule=processing_failed"
    assert len(message.tokens) == 50
    assert d.due(at(11)) == []


def test_groups_split_by_rule_and_duplicates_are_ignored() -> None:
    d = Dispatcher([route(group_wait_seconds=0)])
    d.accept(alert(1), None, T0)
    assert d.accept(alert(1), None, T0) == 0
    d.accept(alert(2, rule="high_cpu"), None, T0)

    assert sorted(m.group_key for m in d.due(T0)) == [
        "route=oncall,rule=high_cpu",
        "route=oncall,rule=processing_failed",
    ]


def test_resolved_notification_only_for_announced_alerts() -> None:
    d = Dispatcher([route(group_wait_seconds=0)])
    a, b = alert(1), replace(alert(2), starts_at=at(1))  # b: a flap, raised and resolved at 1 s
    d.accept(a, None, T0)
    d.due(T0)
    d.accept(b, None, at(1))
    d.accept(resolved(b, 1), None, at(1))
    d.accept(resolved(a, 2), None, at(2))

    (message,) = d.due(at(2))
    assert message.status == "resolved"
    assert [r.alert_id for r, _ in message.resolved] == ["alert_1_1"]
    assert message.firing == ()


def test_send_resolved_off_holds_nothing() -> None:
    d = Dispatcher([route(group_wait_seconds=0, send_resolved=False)])
    a = alert(1)
    d.accept(a, None, T0)
    d.due(T0)

    assert d.accept(resolved(a), Token("a", 0, 9), at(1)) == 0


def test_repeat_interval_resends_still_firing_alerts() -> None:
    d = Dispatcher([route(group_wait_seconds=0, repeat_interval_seconds=600)])
    d.accept(alert(1), None, T0)
    d.due(T0)

    assert d.due(at(599)) == []
    (repeat,) = d.due(at(600))
    assert repeat.repeat
    assert [a.alert_id for a in repeat.firing] == ["alert_1_1"]


def test_routing_by_level_and_matchers() -> None:
    critical_only = route(
        name="pager", levels=frozenset({"critical"}), sinks=("pager",), group_wait_seconds=0
    )
    worker2 = route(name="w2", matchers=(parse_matcher("host=worker-2"),), group_wait_seconds=0)
    d = Dispatcher([critical_only, worker2])

    assert d.accept(alert(1, AlertLevel.ERROR), None, T0) == 0
    assert d.accept(alert(2, AlertLevel.CRITICAL), None, T0) == 1
    assert d.accept(alert(3, AlertLevel.ERROR, host="worker-2"), None, T0) == 1
    assert sorted(m.route.name for m in d.due(T0)) == ["pager", "w2"]


def test_silenced_alerts_are_left_out_of_messages() -> None:
    d = Dispatcher([route(group_wait_seconds=0)])
    d.silences.apply(
        SilenceCreated(
            producer=ME,
            silence_id="x",
            matchers=(parse_matcher("session_id=s1"),),
            starts_at=T0,
            ends_at=at(60),
            author="a",
            comment="c",
        )
    )
    d.accept(alert(1), Token("a", 0, 1), T0)

    (message,) = d.due(T0)
    assert message.firing == ()
    assert message.tokens == (Token("a", 0, 1),)


def test_restore_marks_alerts_announced_so_resolution_is_sent() -> None:
    d = Dispatcher([route(group_wait_seconds=0)])
    a = alert(1)
    d.restore(a)

    assert d.due(T0) == []
    d.accept(resolved(a), None, at(1))
    (message,) = d.due(at(1))
    assert message.status == "resolved"


def test_retry_policy() -> None:
    highest = 0.999
    policy = RetryPolicy(
        max_attempts=4, initial=1, maximum=5, max_retry_after=30, random=lambda: highest
    )

    delays = [policy.decide(n, 500, None, T0).delay for n in (1, 2, 3)]
    assert delays == pytest.approx([highest * c for c in (1, 2, 4)])
    assert policy.decide(4, 500, None, T0).final
    assert policy.decide(1, None, None, T0).delay == pytest.approx(highest)
    assert policy.decide(1, 400, None, T0).final
    assert policy.decide(1, 404, None, T0).final
    assert not policy.decide(1, 408, None, T0).final
    assert policy.decide(1, 429, "7", T0).delay == 7
    assert policy.decide(1, 429, "3600", T0).delay == 30
    assert policy.decide(1, 429, "soon", T0).delay == pytest.approx(highest)


def test_retry_backoff_is_jittered_within_the_capped_exponential_ceiling() -> None:
    draws = random.Random(1234).random
    policy = RetryPolicy(max_attempts=10, initial=1, maximum=8, random=draws)
    ceilings = {1: 1.0, 2: 2.0, 3: 4.0, 4: 8.0, 5: 8.0, 9: 8.0}

    delays = {n: [policy.backoff(n) for _ in range(200)] for n in ceilings}

    for attempt, ceiling in ceilings.items():
        assert all(0 <= d < ceiling for d in delays[attempt]), attempt
        assert max(delays[attempt]) > 0.9 * ceiling  # the whole range is used
        assert len(set(delays[attempt])) == len(delays[attempt])  # no two in lockstep
    # Two notifiers retrying the same dead sink draw apart.
    other = RetryPolicy(max_attempts=10, initial=1, maximum=8, random=random.Random(99).random)
    assert [policy.backoff(3) for _ in range(5)] != [other.backoff(3) for _ in range(5)]


def test_retry_after_http_date() -> None:
    later = (T0 + timedelta(seconds=20)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, T0) == 20


def test_token_bucket_spaces_a_burst() -> None:
    bucket = TokenBucket(per_minute=60, burst=2)

    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 1.0, 2.0]
    assert bucket.reserve(10.0) == 0.0


def test_offsets_commit_below_the_oldest_undelivered_message() -> None:
    pending = PendingOffsets()
    tokens = [Token("a", 0, n) for n in range(3)]
    for token in tokens:
        pending.seen(token)
    pending.hold(tokens[1])
    for token in tokens:
        pending.release(token)

    assert pending.committable() == {("a", 0): 1}
    pending.release(tokens[1])
    assert pending.committable() == {("a", 0): 3}
    assert pending.outstanding == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://metadata.google.internal/x",
        "http://resolves-to-metadata.test/x",
        "ftp://example.test/x",
    ],
)
def test_dangerous_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrlError) as error:
        check_url(url, resolve=lambda host: ["169.254.169.254"])
    assert "/x" not in str(error.value) or url.startswith("ftp")


def test_link_local_allowed_explicitly_and_normal_urls_pass() -> None:
    check_url("http://169.254.169.254/x", allow_link_local=True)
    check_url(
        "https://hooks.example.test/services/T/B/secret", resolve=lambda host: ["93.184.216.34"]
    )
    assert redact("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com/…"


def test_routing_file_and_refused_sink(tmp_path: object) -> None:
    text = """
sinks:
  oncall: {type: slack, url_env: HOOK}
  audit: {type: webhook, url: "https://audit.test/in", secret: k}
routes:
  - {min_level: error, sinks: [oncall, audit], group_wait_seconds: 0}
  - {levels: [warning], sinks: [audit], match: ["rule=~high_.*"]}
"""
    routing = parse_routing(text, NotifierSettings(), {"HOOK": "https://hooks.test/x"})
    first, second = routing.routes
    assert first.levels == {"error", "critical"}
    assert first.group_wait_seconds == 0
    assert second.group_wait_seconds == 10
    assert routing.sinks["oncall"].url.get_secret_value() == "https://hooks.test/x"
    with pytest.raises(RoutingError, match="unknown sink"):
        parse_routing(
            "sinks: {a: {type: slack, url: 'https://x.test'}}\nroutes: [{sinks: [b]}]",
            NotifierSettings(),
            {},
        )
    with pytest.raises(RoutingError, match="needs a secret"):
        parse_routing(
            "sinks: {a: {type: webhook, url: 'https://x.test'}}\nroutes: [{sinks: [a]}]",
            NotifierSettings(),
            {},
        )
    unsafe = NotifierSettings(url=SecretStr("http://169.254.169.254/hook"))
    with pytest.raises(RoutingError) as error:
        load_routing(unsafe)
    assert "/hook" not in str(error.value)


def test_payloads_per_sink_and_signature() -> None:
    d = Dispatcher([route(group_wait_seconds=0)])
    for n in range(25):
        d.accept(alert(n), None, T0)
    (message,) = d.due(T0)

    slack, _ = request_for(Sink("s", "slack", SecretStr("https://x.test")), message, 1700000000)
    body = json.loads(slack)
    assert body["text"] == "[FIRING:25] Processing Failed: merging (+24 more)"
    assert body["blocks"][0]["type"] == "header"
    assert body["blocks"][-2]["text"]["text"] == "…and 5 more"
    discord = json.loads(
        request_for(Sink("d", "discord", SecretStr("https://x.test")), message, 0)[0]
    )
    assert len(discord["embeds"]) == 10
    teams = json.loads(request_for(Sink("t", "teams", SecretStr("https://x.test")), message, 0)[0])
    assert teams["attachments"][0]["content"]["type"] == "AdaptiveCard"
    raw, headers = request_for(
        Sink("w", "webhook", SecretStr("https://x.test"), SecretStr("key")), message, 1700000000
    )
    expected = hmac.new(b"key", b"1700000000." + raw, hashlib.sha256).hexdigest()
    assert headers["X-Mediawatch-Signature"] == f"sha256={expected}"
    webhook = json.loads(raw)
    assert webhook["alerts"][0]["id"] == "alert_1_0"
    assert webhook["alerts"][0]["status"] == "firing"
