"""Routing and grouping: alert events in, notifications (one message per group) out.

Pure: the caller passes ``now``. A new group waits ``group_wait`` to collect a burst into one
message; a group with alerts still firing is re-sent every ``repeat_interval``; resolved
alerts that were announced are announced resolved. Silences mute what they match.

An alert resolved before its group's message went out is a flap and left out, unless it was
read late: owed from a takeover's backlog (see ``backlog``), or read live but lasting longer
than the group wait (its raise came late, e.g. from an alerter catching up on its input).
Such an alert is announced firing, then, once that message is done, resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mediawatch_common.alerting import IdSequence, SilenceBook, match_labels, matches
from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    Event,
    SilenceCreated,
    SilenceExpired,
)
from mediawatch_notifier.backlog import Reading
from mediawatch_notifier.pending_offsets import Token
from mediawatch_notifier.routing import Route

Late = tuple[AlertRaised, AlertResolved, Token | None]
"""An alert announced firing after it resolved, its resolution, and where that was read."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to the sinks of one route about one group of alerts."""

    notification_id: str
    route: Route
    group_key: str
    firing: tuple[AlertRaised, ...]
    resolved: tuple[tuple[AlertRaised, AlertResolved], ...]
    tokens: tuple[Token, ...] = ()
    repeat: bool = False
    then_resolved: tuple[Late, ...] = ()
    """Alerts listed firing that had resolved already: announced resolved once this is done."""

    @property
    def status(self) -> str:
        """``firing`` when any alert listed still fires, else ``resolved``."""
        return "firing" if self.firing else "resolved"

    @property
    def alert_ids(self) -> tuple[str, ...]:
        """Every alert listed."""
        return tuple(a.alert_id for a in self.firing) + tuple(r.alert_id for r, _ in self.resolved)


@dataclass(slots=True)
class _Group:
    route: Route
    key: str
    firing: dict[str, AlertRaised] = field(default_factory=dict)
    announced: set[str] = field(default_factory=set)
    new: dict[str, AlertRaised] = field(default_factory=dict)
    resolved: list[tuple[AlertRaised, AlertResolved]] = field(default_factory=list)
    late: list[Late] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    flush_at: datetime | None = None
    last_sent: datetime | None = None


class Dispatcher:
    """Keeps the groups; :meth:`accept` events, then collect :meth:`due` notifications."""

    def __init__(self, routes: Sequence[Route], silences: SilenceBook | None = None) -> None:
        self._routes = tuple(routes)
        self.silences = silences or SilenceBook()
        self._ids = IdSequence("ntf")
        self._alerts: dict[str, AlertRaised] = {}
        self._readings: dict[str, Reading] = {}
        self._groups: dict[str, _Group] = {}
        self.delivered: Mapping[str, frozenset[str]] = {}
        """Per alert owed from a takeover's backlog, the sinks that already got it."""

    def accept(
        self, event: Event, token: Token | None, now: datetime, reading: Reading = Reading.LIVE
    ) -> int:
        """Take one event; returns how many groups now hold ``token`` (0: nothing to deliver)."""
        if isinstance(event, SilenceCreated | SilenceExpired):
            self.silences.apply(event)
            return 0
        if isinstance(event, AlertRaised):
            return self._raised(event, token, now, reading)
        if isinstance(event, AlertResolved):
            return self._resolved(event, token, now)
        return 0

    def restore(self, event: Event) -> None:
        """Apply an event already handled before a restart: state only, nothing to send."""
        if isinstance(event, SilenceCreated | SilenceExpired):
            self.silences.apply(event)
        elif isinstance(event, AlertRaised) and event.alert_id not in self._alerts:
            self._alerts[event.alert_id] = event
            for group in self._groups_for(event):
                group.firing[event.alert_id] = event
                group.announced.add(event.alert_id)
                group.last_sent = max(filter(None, (group.last_sent, event.event_time)))
        elif isinstance(event, AlertResolved) and (
            raised := self._alerts.pop(event.alert_id, None)
        ):
            for group in self._groups_for(raised):
                group.firing.pop(event.alert_id, None)
                group.announced.discard(event.alert_id)

    def follow_up(self, n: Notification, now: datetime) -> None:
        """``n`` is done (delivered or given up): schedule the resolutions it announced late."""
        if not n.then_resolved:
            return
        group = self._groups[n.group_key]
        for alert, resolution, token in n.then_resolved:
            group.announced.discard(alert.alert_id)
            if group.route.send_resolved:
                group.resolved.append((alert, resolution))
                self._schedule(group, token, now)

    def next_due(self) -> datetime | None:
        """When the earliest pending group is due (for the caller's sleep)."""
        times = [g.flush_at for g in self._groups.values() if g.flush_at is not None]
        return min(times, default=None)

    def due(self, now: datetime) -> list[Notification]:
        """Notifications to send now; groups whose wait ended but have nothing left to say
        come back as notifications with no alerts (deliver nothing, release their tokens)."""
        out = []
        for group in self._groups.values():
            if group.flush_at is not None and now >= group.flush_at:
                out.append(self._flush(group, now))
            elif group.firing and group.last_sent is not None:
                repeat_at = group.last_sent + timedelta(seconds=group.route.repeat_interval_seconds)
                if now >= repeat_at:
                    out.append(self._repeat(group, now))
        return out

    def firing_for(self, sink: str, now: datetime) -> list[AlertRaised]:
        """Every announced alert still firing on a route to ``sink`` and not silenced."""
        found: dict[str, AlertRaised] = {}
        for group in self._groups.values():
            if sink in group.route.sinks:
                found.update(
                    (i, a)
                    for i, a in group.firing.items()
                    if i in group.announced and not self._muted(a, now)
                )
        return sorted(found.values(), key=lambda a: (a.starts_at, a.alert_id))

    def _raised(
        self, alert: AlertRaised, token: Token | None, now: datetime, reading: Reading
    ) -> int:
        if alert.alert_id in self._alerts:
            return 0
        self._alerts[alert.alert_id] = alert
        if reading is not Reading.LIVE:
            self._readings[alert.alert_id] = reading
        held = 0
        for group in self._groups_for(alert):
            group.firing[alert.alert_id] = alert
            if reading is Reading.OWED and self._got_it(alert, group):
                group.announced.add(alert.alert_id)
                group.last_sent = max(filter(None, (group.last_sent, alert.event_time)))
                continue
            group.new[alert.alert_id] = alert
            self._schedule(group, token, now)
            held += 1
        return held

    def _got_it(self, alert: AlertRaised, group: _Group) -> bool:
        """Whether every sink of the group's route has a recorded delivery of ``alert``."""
        return set(group.route.sinks) <= self.delivered.get(alert.alert_id, frozenset())

    def _resolved(self, event: AlertResolved, token: Token | None, now: datetime) -> int:
        alert = self._alerts.pop(event.alert_id, None)
        if alert is None:
            return 0
        reading = self._readings.pop(event.alert_id, Reading.LIVE)
        held = 0
        for group in self._groups_for(alert):
            group.firing.pop(event.alert_id, None)
            if event.alert_id in group.new:
                if not self._read_late(alert, event, group.route, reading):
                    del group.new[event.alert_id]
                    continue
                told = group.route.send_resolved  # the resolution holds its message till sent
                group.late.append((alert, event, token if told else None))
                held += 1 if told else 0
                continue
            if event.alert_id in group.announced and group.route.send_resolved:
                group.resolved.append((alert, event))
                self._schedule(group, token, now)
                held += 1
            group.announced.discard(event.alert_id)
        return held

    @staticmethod
    def _read_late(
        alert: AlertRaised, resolution: AlertResolved, route: Route, reading: Reading
    ) -> bool:
        """Whether an alert resolved before its group's message is announced all the same."""
        if reading is not Reading.LIVE:
            return reading is Reading.OWED
        lasted = (resolution.ends_at - alert.starts_at).total_seconds()
        return lasted > route.group_wait_seconds

    def _schedule(self, group: _Group, token: Token | None, now: datetime) -> None:
        if token is not None:
            group.tokens.append(token)
        if group.flush_at is None:
            group.flush_at = now + timedelta(seconds=group.route.group_wait_seconds)

    def _flush(self, group: _Group, now: datetime) -> Notification:
        firing = tuple(a for a in group.new.values() if not self._muted(a, now))
        resolved = tuple((a, r) for a, r in group.resolved if not self._muted(a, now))
        group.announced.update(a.alert_id for a in firing)
        listed = {a.alert_id for a in firing}
        then = tuple(late for late in group.late if late[0].alert_id in listed)
        dropped = [t for a, _, t in group.late if a.alert_id not in listed and t is not None]
        notification = Notification(
            self._ids.next(now) if firing or resolved else "",
            group.route,
            group.key,
            firing,
            resolved,
            (*group.tokens, *dropped),
            then_resolved=then,
        )
        group.new, group.resolved, group.late, group.tokens = {}, [], [], []
        group.flush_at = None
        if firing or resolved:
            group.last_sent = now
        return notification

    def _repeat(self, group: _Group, now: datetime) -> Notification:
        group.last_sent = now
        firing = tuple(a for a in group.firing.values() if not self._muted(a, now))
        notification_id = self._ids.next(now) if firing else ""
        return Notification(notification_id, group.route, group.key, firing, (), repeat=True)

    def _muted(self, alert: AlertRaised, now: datetime) -> bool:
        return self.silences.muting(match_labels(alert), now) is not None

    def _groups_for(self, alert: AlertRaised) -> list[_Group]:
        labels = match_labels(alert)
        groups = []
        for route in self._routes:
            if labels["level"] not in route.levels:
                continue
            if not all(matches(m, labels) for m in route.matchers):
                continue
            key = ",".join(
                [f"route={route.name}", *(f"{k}={labels.get(k, '')}" for k in route.group_by)]
            )
            groups.append(self._groups.setdefault(key, _Group(route, key)))
        return groups
