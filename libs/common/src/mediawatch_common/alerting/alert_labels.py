"""The labels silences and notification routes match an alert on."""

from __future__ import annotations

from mediawatch_common.events import AlertRaised


def match_labels(alert: AlertRaised) -> dict[str, str]:
    """Labels silences and routes match on: the alert's labels plus ``rule`` and ``level``."""
    found = {**alert.labels, "rule": alert.rule, "level": alert.level.value.lower()}
    if alert.session_id:
        found.setdefault("session_id", alert.session_id)
    if alert.stage:
        found.setdefault("stage", alert.stage.label)
    return found
