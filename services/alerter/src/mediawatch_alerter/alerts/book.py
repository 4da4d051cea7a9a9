"""The alert lifecycle: pending -> firing -> resolved, one alert per fingerprint.

Pure state machine: findings and clock ticks go in, alert events come out. No broker, no
wall clock; the caller passes ``now``. Silences and inhibition decide whether a firing alert
is announced (an :class:`AlertRaised` published) or kept quiet until the suppression ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mediawatch_alerter.alerts.clearing import Cleared, cleared, is_clearing, occurs_again
from mediawatch_alerter.alerts.finding import Finding
from mediawatch_alerter.alerts.inhibition import (
    DEFAULT_INHIBITIONS,
    Firing,
    InhibitRule,
    inhibited_by,
)
from mediawatch_common.alerting import IdSequence, SilenceBook, match_labels
from mediawatch_common.events import AlertLevel, AlertRaised, AlertResolved, Producer

AlertEvent = AlertRaised | AlertResolved


@dataclass(slots=True)
class _Pending:
    level: AlertLevel
    since: datetime
    finding: Finding


@dataclass(slots=True)
class _Firing:
    raised: AlertRaised
    published: bool
    suppressed_by: str | None = None


@dataclass(slots=True)
class _Entry:
    pending: _Pending | None = None
    firing: _Firing | None = None
    expires_at: datetime | None = None
    cleared: Cleared | None = None
    """Set while an operator-cleared instance is still observed (see ``clearing``)."""


class AlertBook:
    """Tracks every condition by fingerprint and emits the lifecycle events."""

    def __init__(
        self,
        producer: Producer,
        *,
        silences: SilenceBook | None = None,
        inhibitions: Sequence[InhibitRule] = DEFAULT_INHIBITIONS,
        ids: IdSequence | None = None,
        valid_for: Callable[[str], float | None] = lambda _rule: None,
    ) -> None:
        self._producer = producer
        self.silences = silences or SilenceBook()
        self._inhibitions = tuple(inhibitions)
        self.ids = ids or IdSequence("alert")
        self._valid_for = valid_for
        self._entries: dict[str, _Entry] = {}

    def level_of(self, fingerprint: str) -> AlertLevel | None:
        """The level a condition is pending at, firing at or was cleared at while still
        observed (for hysteresis), else None."""
        entry = self._entries.get(fingerprint)
        if entry is None:
            return None
        if entry.pending is not None:
            return entry.pending.level
        if entry.cleared is not None:
            return entry.cleared.level
        return entry.firing.raised.level if entry.firing else None

    def firing(self) -> list[AlertRaised]:
        """Alerts firing and announced, oldest first."""
        found = [e.firing.raised for e in self._entries.values() if e.firing and e.firing.published]
        return sorted(found, key=lambda a: a.starts_at)

    def suppressed(self) -> list[tuple[AlertRaised, str]]:
        """Alerts firing but kept quiet, with what suppresses them (``silence:``/``inhibited:``)."""
        return [
            (e.firing.raised, e.firing.suppressed_by or "")
            for e in self._entries.values()
            if e.firing and not e.firing.published
        ]

    def observe(self, findings: Iterable[Finding], now: datetime) -> list[AlertEvent]:
        """Apply rule findings; returns the events to publish, in order."""
        events: list[AlertEvent] = []
        for finding in findings:
            events += self._observe(finding, now)
        return events

    def tick(self, now: datetime) -> list[AlertEvent]:
        """Advance time: fire pendings whose ``for`` elapsed, expire unobserved conditions,
        announce alerts whose silence or inhibition ended."""
        events: list[AlertEvent] = []
        for fp, entry in list(self._entries.items()):
            if entry.expires_at is not None and now >= entry.expires_at:
                del self._entries[fp]
                events += self._resolve(entry, "no longer observed", now)
                continue
            events += self._promote(entry, now)
        for entry in self._entries.values():
            events += self._unsuppress(entry, now)
        return events

    def clear(self, event: AlertResolved) -> bool:
        """An operator resolved ``event.alert_id``: forget the firing instance but remember it
        as cleared, so the same condition is not raised again (see ``clearing``). False when
        that alert is not the one firing for its fingerprint (already resolved or replaced).
        """
        entry = self._entries.get(event.fingerprint)
        if entry is None or entry.firing is None:
            return False
        if entry.firing.raised.alert_id != event.alert_id:
            return False
        entry.cleared = cleared(entry.firing.raised)
        entry.firing = entry.pending = None
        return True

    def cleared(self) -> list[str]:
        """Fingerprints cleared by an operator whose condition is still observed."""
        return sorted(fp for fp, e in self._entries.items() if e.cleared is not None)

    def restore(self, event: AlertEvent, now: datetime) -> None:
        """Rebuild state from an event read back from the alerts topic (no output)."""
        self.ids.seen(event.alert_id)
        if isinstance(event, AlertResolved) and is_clearing(event):
            self.clear(event)
            return
        if isinstance(event, AlertRaised):
            valid = self._valid_for(event.rule)
            expires = now + timedelta(seconds=valid) if valid is not None else None
            self._entries[event.fingerprint] = _Entry(
                firing=_Firing(event, published=True), expires_at=expires
            )
            return
        entry = self._entries.get(event.fingerprint)
        if entry and entry.firing and entry.firing.raised.alert_id == event.alert_id:
            del self._entries[event.fingerprint]

    def _observe(self, finding: Finding, now: datetime) -> list[AlertEvent]:
        fp = finding.fingerprint
        entry = self._entries.get(fp)
        if finding.level is None:
            if entry is None:
                return []
            del self._entries[fp]
            return self._resolve(entry, finding.reason, now)
        if entry is None:
            entry = self._entries[fp] = _Entry()
        if finding.valid_for_seconds is not None:
            entry.expires_at = now + timedelta(seconds=finding.valid_for_seconds)
        if entry.cleared is not None:
            if not occurs_again(entry.cleared, finding):
                entry.cleared.level = finding.level
                return []
            entry.cleared = None
        if entry.firing and entry.firing.raised.level is finding.level:
            entry.pending = None
            return []
        since = entry.pending.since if entry.pending else now
        entry.pending = _Pending(finding.level, since, finding)
        return self._promote(entry, now)

    def _promote(self, entry: _Entry, now: datetime) -> list[AlertEvent]:
        pending = entry.pending
        if pending is None or (now - pending.since).total_seconds() < pending.finding.for_seconds:
            return []
        entry.pending = None
        events = []
        if entry.firing is not None:
            events += self._resolve(entry, f"level changed to {pending.level.value.lower()}", now)
        raised = self._raised(pending, now)
        suppressed_by = self._suppression(raised, now)
        entry.firing = _Firing(raised, published=suppressed_by is None, suppressed_by=suppressed_by)
        if suppressed_by is None:
            events.append(raised)
        return events

    def _raised(self, pending: _Pending, now: datetime) -> AlertRaised:
        f = pending.finding
        return AlertRaised(
            event_time=now,
            producer=self._producer,
            alert_id=self.ids.next(now),
            fingerprint=f.fingerprint,
            rule=f.rule,
            level=pending.level,
            title=f.title,
            message=f.message,
            session_id=f.session_id,
            user_id=f.user_id,
            stage=f.stage,
            labels=f.all_labels,
            metadata=dict(f.metadata),
            starts_at=f.starts_at or pending.since,
        )

    def _resolve(self, entry: _Entry, reason: str, now: datetime) -> list[AlertEvent]:
        firing = entry.firing
        if firing is None or not firing.published:
            return []
        raised = firing.raised
        return [
            AlertResolved(
                event_time=now,
                producer=self._producer,
                alert_id=raised.alert_id,
                fingerprint=raised.fingerprint,
                rule=raised.rule,
                reason=reason,
                ends_at=now,
            )
        ]

    def _suppression(self, alert: AlertRaised, now: datetime) -> str | None:
        silence = self.silences.muting(match_labels(alert), now)
        if silence is not None:
            return f"silence:{silence}"
        sources = (
            Firing(e.firing.raised.fingerprint, e.firing.raised.rule, e.firing.raised.labels)
            for e in self._entries.values()
            if e.firing is not None and e.firing.raised.fingerprint != alert.fingerprint
        )
        source = inhibited_by(alert.rule, alert.labels, sources, self._inhibitions)
        return f"inhibited:{source}" if source else None

    def _unsuppress(self, entry: _Entry, now: datetime) -> list[AlertEvent]:
        firing = entry.firing
        if firing is None or firing.published or self._suppression(firing.raised, now):
            return []
        firing.raised = dataclasses.replace(firing.raised, event_time=now)
        firing.published, firing.suppressed_by = True, None
        return [firing.raised]
