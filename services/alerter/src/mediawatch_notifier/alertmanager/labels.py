"""Our alerts as Alertmanager sees them: labels, annotations, link and fingerprint.

Alertmanager identifies an alert by its label set, so the labels carry exactly what
identifies one of our alerts (the rule and its labels) plus the level: ``alertname`` (the
rule), ``severity`` (the level), and the alert's own labels (``session_id``, ``stage``,
``host``, ``window``, ``group``, ``alert_type``, ...). They are bounded by the rules: each
rule declares its labels, and a custom alert carries at most the client's 16 reported labels.
Everything else (title, message, alert id, user, metadata) goes into annotations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mediawatch_common.events import AlertRaised

_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEPARATOR = 0xFF


def label_name(name: str) -> str:
    """A valid Alertmanager label or annotation name: ``[a-zA-Z_][a-zA-Z0-9_]*``.

    Any other character becomes ``_`` (``custom_context.batch`` -> ``custom_context_batch``).
    """
    cleaned = _INVALID.sub("_", name) or "_"
    return f"_{cleaned}" if cleaned[0].isdigit() else cleaned


def alert_labels(alert: AlertRaised) -> dict[str, str]:
    """``alertname`` (the rule), ``severity`` (the level) and the alert's labels, sorted.

    ``session_id`` and ``stage`` come from the alert when its labels lack them; empty
    values are dropped, as Alertmanager drops them.
    """
    labels = {label_name(k): v for k, v in alert.labels.items()}
    if alert.session_id:
        labels.setdefault("session_id", alert.session_id)
    if alert.stage:
        labels.setdefault("stage", alert.stage.label)
    labels["alertname"] = alert.rule
    labels["severity"] = alert.level.value.lower()
    return {k: labels[k] for k in sorted(labels) if labels[k]}


def alert_annotations(alert: AlertRaised) -> dict[str, str]:
    """``summary`` (our title), ``description`` (our message), ``alert_id``, ``user_id`` and
    each metadata item (``error_code``, ``duration_seconds``, ...) as text."""
    notes = {label_name(k): _text(v) for k, v in alert.metadata.items()}
    notes["summary"] = alert.title
    notes["description"] = alert.message
    notes["alert_id"] = alert.alert_id
    if alert.user_id:
        notes["user_id"] = alert.user_id
    return {k: notes[k] for k in sorted(notes)}


def generator_url(alert: AlertRaised, dashboard_url: str | None) -> str | None:
    """The dashboard page of the alert's session, or the dashboard itself; None without one."""
    if not dashboard_url:
        return None
    base = dashboard_url.rstrip("/")
    return f"{base}/sessions/{alert.session_id}" if alert.session_id else f"{base}/"


def fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set, as 16 hex digits.

    FNV-1a (64 bit) over the labels sorted by name, each name and value followed by the
    byte 0xFF: the label-set fingerprint of Prometheus's ``model`` package, which
    Alertmanager shows as an alert's ``fingerprint``.
    """
    digest = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in (*part.encode(), _SEPARATOR):
                digest = ((digest ^ byte) * _FNV_PRIME) & _MASK
    return f"{digest:016x}"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
