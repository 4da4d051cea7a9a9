"""Alertmanager's two JSON shapes, built from a notification.

- :func:`postable_alerts`: the body of ``POST /api/v2/alerts`` (a list of postable alerts),
  which the ``alertmanager`` sink pushes;
- :func:`webhook_message`: the body Alertmanager's own webhook receiver posts (version 4),
  which the generic webhook sends with ``format: alertmanager``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from mediawatch_common.events import AlertRaised, AlertResolved
from mediawatch_notifier.alertmanager.labels import (
    alert_annotations,
    alert_labels,
    fingerprint,
    generator_url,
    label_name,
)
from mediawatch_notifier.grouping import Notification

ZERO_TIME = "0001-01-01T00:00:00Z"
"""How Alertmanager writes an unset time (Go's zero time): a firing alert's ``endsAt``."""

_NAMES = {"rule": "alertname", "level": "severity"}


def rfc3339(when: datetime) -> str:
    """``2026-01-05T12:00:00.250Z``: UTC with milliseconds, as Go parses RFC 3339."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entries(n: Notification) -> list[tuple[AlertRaised, AlertResolved | None]]:
    """Resolved alerts first, then firing ones; a resolved alert whose label set fires again
    (the same condition raised anew) is left out, so it cannot end the new one."""
    firing = {tuple(alert_labels(a).items()) for a in n.firing}
    resolved = [(a, r) for a, r in n.resolved if tuple(alert_labels(a).items()) not in firing]
    return [*resolved, *((a, None) for a in n.firing)]


def _ends_at(alert: AlertRaised, resolved: AlertResolved | None, hold_until: datetime) -> str:
    end = resolved.ends_at if resolved is not None else hold_until
    return rfc3339(max(end, alert.starts_at))


def postable_alerts(
    n: Notification, now: datetime, hold_seconds: float, dashboard_url: str | None
) -> list[dict[str, Any]]:
    """The alerts of ``n`` for ``POST /api/v2/alerts``.

    A firing alert ends at ``now + hold_seconds`` unless pushed again before (as Prometheus
    pushes its alerts), so an alert we can no longer push expires on its own; a resolved one
    ends when it was resolved.
    """
    hold_until = now + timedelta(seconds=hold_seconds)
    out = []
    for alert, resolved in _entries(n):
        item: dict[str, Any] = {
            "labels": alert_labels(alert),
            "annotations": alert_annotations(alert),
            "startsAt": rfc3339(alert.starts_at),
            "endsAt": _ends_at(alert, resolved, hold_until),
        }
        link = generator_url(alert, dashboard_url)
        if link is not None:
            item["generatorURL"] = link
        out.append(item)
    return out


def webhook_alert(
    alert: AlertRaised, resolved: AlertResolved | None, dashboard_url: str | None
) -> dict[str, Any]:
    """One alert of a version 4 webhook message."""
    labels = alert_labels(alert)
    return {
        "status": "firing" if resolved is None else "resolved",
        "labels": labels,
        "annotations": alert_annotations(alert),
        "startsAt": rfc3339(alert.starts_at),
        "endsAt": ZERO_TIME if resolved is None else _ends_at(alert, resolved, alert.starts_at),
        "generatorURL": generator_url(alert, dashboard_url) or "",
        "fingerprint": fingerprint(labels),
    }


def common(items: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """The pairs every mapping of ``items`` shares (empty for no items)."""
    iterator = iter(items)
    shared = dict(next(iterator, {}))
    for item in iterator:
        shared = {k: v for k, v in shared.items() if item.get(k) == v}
    return shared


def webhook_message(n: Notification, receiver: str, dashboard_url: str | None) -> dict[str, Any]:
    """Alertmanager's webhook body (version 4) for ``n``.

    ``groupLabels`` are the route's ``group_by`` labels under Alertmanager's names (``rule``
    is ``alertname``, ``level`` is ``severity``); ``groupKey`` is our group key;
    ``externalURL`` is the dashboard's address (empty when not configured).
    """
    alerts = [webhook_alert(a, r, dashboard_url) for a, r in _entries(n)]
    first = alerts[0]["labels"] if alerts else {}
    names = [label_name(_NAMES.get(k, k)) for k in n.route.group_by]
    return {
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": 0,
        "receiver": receiver,
        "status": n.status,
        "alerts": alerts,
        "groupLabels": {k: first[k] for k in names if k in first},
        "commonLabels": common(a["labels"] for a in alerts),
        "commonAnnotations": common(a["annotations"] for a in alerts),
        "externalURL": (dashboard_url or "").rstrip("/"),
    }
