"""Message bodies per sink type: Slack-compatible (text + blocks), Discord, Teams, JSON webhook,
and Alertmanager's shapes (``mediawatch_notifier.alertmanager``).

The generic webhook body (ours, or Alertmanager's webhook format) is signed (HMAC-SHA256 of
``"<timestamp>.<body>"``), so a receiver can reject forgeries and replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from mediawatch_common.alerting import alert_json, iso_z
from mediawatch_common.events import AlertLevel, AlertRaised
from mediawatch_notifier.alertmanager import postable_alerts, webhook_message
from mediawatch_notifier.grouping import Notification
from mediawatch_notifier.routing import Sink

SHOWN = 20
"""Alerts listed one by one in a chat message; the rest are counted."""

_ICON = {
    AlertLevel.INFO: "🔵",
    AlertLevel.WARNING: "⚠️",
    AlertLevel.ERROR: "❌",
    AlertLevel.CRITICAL: "🚨",
}
_COLOR = {
    AlertLevel.INFO: 0x3498DB,
    AlertLevel.WARNING: 0xF1C40F,
    AlertLevel.ERROR: 0xE74C3C,
    AlertLevel.CRITICAL: 0x8E44AD,
}


def headline(n: Notification) -> str:
    """``[FIRING:3] Processing Failed: merging (+2 more)`` or ``[RESOLVED:1] ...``."""
    alerts = [*n.firing, *(a for a, _ in n.resolved)]
    first = alerts[0].title if alerts else "no alerts"
    more = f" (+{len(alerts) - 1} more)" if len(alerts) > 1 else ""
    tag = "REPEAT " if n.repeat else ""
    return f"[{tag}{n.status.upper()}:{len(alerts)}] {first}{more}"


def _lines(n: Notification) -> list[tuple[str, AlertRaised]]:
    items = [("firing", a) for a in n.firing] + [("resolved", a) for a, _ in n.resolved]
    return items


def _line(status: str, a: AlertRaised) -> str:
    mark = "✅" if status == "resolved" else _ICON[a.level]
    level = a.level.value.lower() + (", resolved" if status == "resolved" else "")
    where = [f"`{a.alert_id}`"]
    if a.session_id:
        where.append(f"session {a.session_id}")
    if "host" in a.labels:
        where.append(f"host {a.labels['host']}")
    return f"{mark} *{a.title}* ({level})\n{a.message}\n{' · '.join(where)}"


def slack(n: Notification) -> dict[str, Any]:
    """Incoming-webhook body: ``text`` (notifications, fallback) plus Block Kit ``blocks``."""
    items = _lines(n)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(n)[:150]}}
    ]
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": _line(s, a)[:3000]}}
        for s, a in items[:SHOWN]
    ]
    if len(items) > SHOWN:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"…and {len(items) - SHOWN} more"},
            }
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"mediawatch · {n.group_key}"}]}
    )
    return {"text": headline(n), "blocks": blocks}


def discord(n: Notification) -> dict[str, Any]:
    """Discord webhook body: ``content`` plus up to 10 embeds; mentions disabled."""
    embeds = [
        {
            "title": a.title[:256],
            "description": a.message[:4000],
            "color": 0x2ECC71 if s == "resolved" else _COLOR[a.level],
            "timestamp": iso_z(a.starts_at),
            "footer": {"text": f"{a.alert_id} · {s}"},
        }
        for s, a in _lines(n)[:10]
    ]
    return {"content": headline(n)[:2000], "embeds": embeds, "allowed_mentions": {"parse": []}}


def teams(n: Notification) -> dict[str, Any]:
    """Microsoft Teams (Workflows / incoming webhook): an Adaptive Card message."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": headline(n),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    for s, a in _lines(n)[:SHOWN]:
        body.append(
            {
                "type": "TextBlock",
                "text": _line(s, a).replace("*", "**"),
                "wrap": True,
                "separator": True,
            }
        )
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def webhook(n: Notification) -> dict[str, Any]:
    """Generic JSON: each alert's alert JSON plus status, rule, fingerprint, labels."""
    alerts = []
    for s, a in _lines(n):
        alerts.append(
            {
                **alert_json(a),
                "status": s,
                "rule": a.rule,
                "fingerprint": a.fingerprint,
                "labels": dict(a.labels),
            }
        )
    for item, (_, resolved) in zip(alerts[len(n.firing) :], n.resolved, strict=True):
        item["resolved_at"] = iso_z(resolved.ends_at)
    return {
        "version": "1",
        "notification_id": n.notification_id,
        "group_key": n.group_key,
        "status": n.status,
        "repeat": n.repeat,
        "alerts": alerts,
    }


BUILDERS = {"slack": slack, "discord": discord, "teams": teams, "webhook": webhook}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


HOLD_INTERVALS = 4
"""A firing alert pushed to Alertmanager ends this many resend intervals after the push."""


def document(
    sink: Sink, n: Notification, timestamp: int, dashboard_url: str | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """The JSON document ``sink`` gets for ``n`` (``timestamp``: now, in epoch seconds)."""
    if sink.type == "alertmanager":
        now = datetime.fromtimestamp(timestamp, UTC)
        hold = HOLD_INTERVALS * sink.resend_interval_seconds
        return postable_alerts(n, now, hold, dashboard_url)
    if sink.type == "webhook" and sink.format == "alertmanager":
        return webhook_message(n, sink.name, dashboard_url)
    return BUILDERS[sink.type](n)


def request_for(
    sink: Sink, n: Notification, timestamp: int, dashboard_url: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers to POST to ``sink`` for ``n``."""
    doc = document(sink, n, timestamp, dashboard_url)
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "mediawatch-notifier/1"}
    if sink.secret is not None:
        headers["X-Mediawatch-Timestamp"] = str(timestamp)
        headers["X-Mediawatch-Signature"] = sign(
            sink.secret.get_secret_value(), str(timestamp), body
        )
    return body, headers
