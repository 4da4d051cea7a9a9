"""What a backtest found: the alerts that would have fired, and a summary per rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mediawatch_alerter.evaluator import Output
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """One alert the rules raised; ``resolved_at`` None means still firing at the end."""

    alert_id: str
    rule: str
    fingerprint: str
    level: AlertLevel
    title: str
    fired_at: datetime
    resolved_at: datetime | None = None
    resolve_reason: str | None = None

    def firing_seconds(self, end: datetime) -> float:
        """How long it fired, counting an unresolved alert up to ``end``."""
        stop = self.resolved_at or max(end, self.fired_at)
        return (stop - self.fired_at).total_seconds()


@dataclass(frozen=True, slots=True)
class RuleSummary:
    """How often one rule fired over the replayed slice."""

    rule: str
    count: int
    fingerprints: int
    first: datetime
    last: datetime
    firing_seconds: float


@dataclass(frozen=True, slots=True)
class Report:
    """The whole answer of a backtest."""

    start: datetime | None
    end: datetime | None
    events: int
    alerts: tuple[FiredAlert, ...]
    rules: tuple[RuleSummary, ...]


def fired_alerts(outputs: Iterable[Output]) -> list[FiredAlert]:
    """Pair every :class:`AlertRaised` with its :class:`AlertResolved`, in firing order."""
    alerts: dict[str, FiredAlert] = {}
    for event in outputs:
        if isinstance(event, AlertRaised) and event.alert_id not in alerts:
            alerts[event.alert_id] = FiredAlert(
                event.alert_id,
                event.rule,
                event.fingerprint,
                event.level,
                event.title,
                event.event_time,
            )
        elif isinstance(event, AlertResolved) and (known := alerts.get(event.alert_id)):
            alerts[event.alert_id] = _resolved(known, event)
    return sorted(alerts.values(), key=lambda a: (a.fired_at, a.rule, a.fingerprint))


def _resolved(alert: FiredAlert, event: AlertResolved) -> FiredAlert:
    return FiredAlert(
        alert.alert_id,
        alert.rule,
        alert.fingerprint,
        alert.level,
        alert.title,
        alert.fired_at,
        event.ends_at,
        event.reason,
    )


def summarize(alerts: Sequence[FiredAlert], end: datetime) -> list[RuleSummary]:
    """Count, distinct fingerprints, first and last firing and total firing time per rule."""
    by_rule: dict[str, list[FiredAlert]] = {}
    for alert in alerts:
        by_rule.setdefault(alert.rule, []).append(alert)
    return [
        RuleSummary(
            rule=rule,
            count=len(found),
            fingerprints=len({a.fingerprint for a in found}),
            first=min(a.fired_at for a in found),
            last=max(a.fired_at for a in found),
            firing_seconds=sum(a.firing_seconds(end) for a in found),
        )
        for rule, found in sorted(by_rule.items())
    ]


def build_report(
    outputs: Iterable[Output], *, start: datetime | None, end: datetime | None, events: int
) -> Report:
    """The report of one run; ``end`` (or the last firing) closes unresolved alerts."""
    alerts = fired_alerts(outputs)
    close = end or max((a.resolved_at or a.fired_at for a in alerts), default=None)
    rules = summarize(alerts, close) if close is not None else []
    return Report(start, end, events, tuple(alerts), tuple(rules))
