"""An alert cleared by an operator stays cleared until its condition occurs again (pure).

``DELETE /alerts`` resolves firing alerts by hand; the alerter raises nothing for that instance
until the condition clears, is unobserved for its validity, recurs as a later event, or gets
worse. The rules are listed in docs/alerting.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved

_RANK = {level: n for n, level in enumerate(AlertLevel)}


@dataclass(slots=True)
class Cleared:
    """What is remembered of a cleared instance: its level (the latest observed since) and
    when it started (which distinguishes per-event occurrences)."""

    alert_id: str
    level: AlertLevel
    starts_at: datetime


def is_clearing(event: AlertResolved) -> bool:
    """A resolution by hand (it names who), as opposed to the alerter's own."""
    return event.actor is not None


def cleared(alert: AlertRaised) -> Cleared:
    """The memory of ``alert`` once an operator cleared it."""
    return Cleared(alert.alert_id, alert.level, alert.starts_at)


def occurs_again(memory: Cleared, finding: Finding) -> bool:
    """Whether ``finding`` (with a level) is a new occurrence rather than the cleared one."""
    if finding.level is None:
        return False
    if _RANK[finding.level] > _RANK[memory.level]:
        return True
    return (
        finding.per_event
        and finding.starts_at is not None
        and (finding.starts_at > memory.starts_at)
    )
