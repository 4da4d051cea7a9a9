"""An alert cleared by an operator stays cleared until its condition occurs again (pure).

``DELETE /alerts`` resolves firing alerts by hand (an :class:`AlertResolved` with an
``actor``). The alerter treats that as final for that instance: while the rule keeps
reporting the same condition, nothing is raised. A new alert is raised only when the
condition occurs again, which is one of:

- the rule observes the condition clear (a finding without a level: the value is back
  under its clear line, the stage succeeded, the session finished, the check passed), or
  the condition goes unobserved for the rule's validity period; the next finding with a
  level is then a new occurrence;
- for rules where each event is its own occurrence (``Finding.per_event``: a failed or slow
  stage), an event of a later time than the cleared alert's (another failed attempt);
- the condition gets worse: a level above the last one observed since the clearing
  (WARNING cleared, then CRITICAL).
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
