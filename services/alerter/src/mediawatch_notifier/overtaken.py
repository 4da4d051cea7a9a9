"""Firing that a resolution overtook: what a delivery under way no longer sends a sink.

A delivery to one sink retries in its worker while the notifier reads on. When an alert it
lists firing resolves meanwhile and the resolution is dispatched to the same sink, a later
attempt would announce the alert firing after its resolution, and the sink (Alertmanager, a
chat channel) would show it firing again. So the notifier opens each delivery here when it
dispatches it, and a dispatched resolution marks its alerts overtaken for that sink: in the
deliveries open to it, and in the sink's memory of resolutions, which later firing
deliveries start from. Each attempt sends only what was not overtaken; a delivery left with
nothing ends. A resolution waits for an attempt in flight that lists its alerts firing to the
same sink, so that it is sent after that attempt's answer.

Ids never repeat: an alert a sink was sent resolved never fires there again. Opened, resolved
and closed on the notifier's thread, attempted on the delivery workers: every method locks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from mediawatch_common.events import AlertRaised
from mediawatch_notifier.grouping import Notification

REMEMBERED = 10_000
"""Resolutions remembered per sink (the oldest are forgotten first): enough for the firing
messages dispatched after a resolution, which follow it within group waits."""


@dataclass(slots=True)
class _Open:
    sink: str
    firing: frozenset[str]
    overtaken: set[str]
    recorded: set[str] = field(default_factory=set)
    sending: frozenset[str] = frozenset()


class Overtaken:
    """The deliveries under way and the resolutions dispatched, per sink."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._lock = threading.Condition()
        self._open: dict[tuple[str, str], _Open] = {}
        self._resolved: dict[str, dict[str, None]] = {}
        self._remembered = remembered

    def learn(self, sinks: Mapping[str, Iterable[str]]) -> None:
        """Per alert, the sinks recorded as sent its resolution (by an earlier term)."""
        with self._lock:
            for alert_id, names in sinks.items():
                for sink in names:
                    self._remember(sink, (alert_id,))

    def resolving(self, n: Notification) -> None:
        """``n`` is dispatched: its resolutions overtake the firing of those alerts to its sinks."""
        ids = frozenset(a.alert_id for a, _ in n.resolved)
        if not ids:
            return
        with self._lock:
            for sink in n.route.sinks:
                self._remember(sink, ids)
            for delivery in self._open.values():
                if delivery.sink in n.route.sinks:
                    delivery.overtaken |= delivery.firing & ids

    def open(self, n: Notification, sink: str) -> None:
        """``n`` is dispatched to ``sink`` (before any resolution dispatched after it)."""
        firing = frozenset(a.alert_id for a in n.firing)
        if not firing:
            return
        with self._lock:
            known = self._resolved.get(sink, {})
            self._open[(n.notification_id, sink)] = _Open(
                sink, firing, {i for i in firing if i in known}
            )

    def close(self, n: Notification, sink: str) -> None:
        """The delivery of ``n`` to ``sink`` ended."""
        with self._lock:
            self._open.pop((n.notification_id, sink), None)
            self._lock.notify_all()

    def attempt(self, n: Notification, sink: str) -> tuple[Notification, tuple[AlertRaised, ...]]:
        """What the next attempt sends (``n`` without the overtaken alerts) and the alerts
        left out since the previous attempt (to record); the attempt is in flight until
        :meth:`landed`."""
        with self._lock:
            delivery = self._open.get((n.notification_id, sink))
            if delivery is None or not delivery.overtaken:
                if delivery is not None:
                    delivery.sending = delivery.firing
                return n, ()
            gone = delivery.overtaken
            left_out = tuple(
                a for a in n.firing if a.alert_id in gone and a.alert_id not in delivery.recorded
            )
            delivery.recorded.update(a.alert_id for a in left_out)
            sent = replace(n, firing=tuple(a for a in n.firing if a.alert_id not in gone))
            delivery.sending = frozenset(a.alert_id for a in sent.firing)
            return sent, left_out

    def landed(self, n: Notification, sink: str) -> None:
        """The attempt of ``n`` to ``sink`` was answered (or failed)."""
        with self._lock:
            delivery = self._open.get((n.notification_id, sink))
            if delivery is not None:
                delivery.sending = frozenset()
                self._lock.notify_all()

    def spent(self, n: Notification, sink: str) -> bool:
        """Whether nothing of ``n`` is left to send ``sink``: every alert it lists firing was
        overtaken and it lists none resolved."""
        with self._lock:
            delivery = self._open.get((n.notification_id, sink))
            return delivery is not None and not n.resolved and delivery.firing <= delivery.overtaken

    def await_landing(self, n: Notification, sink: str, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until no attempt in flight to ``sink`` lists
        firing an alert ``n`` lists resolved; False when the wait timed out."""
        ids = frozenset(a.alert_id for a, _ in n.resolved)
        if not ids:
            return True
        with self._lock:
            return self._lock.wait_for(
                lambda: not any(d.sink == sink and d.sending & ids for d in self._open.values()),
                timeout,
            )

    def _remember(self, sink: str, ids: Iterable[str]) -> None:
        known = self._resolved.setdefault(sink, {})
        known.update(dict.fromkeys(ids))
        while len(known) > self._remembered:
            del known[next(iter(known))]
