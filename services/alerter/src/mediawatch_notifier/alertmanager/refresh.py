"""When to push again, to each Alertmanager sink, every alert that still fires there.

Alertmanager resolves an alert that is not pushed again before its ``endsAt`` (or its
``resolve_timeout``), so while an alert fires it is pushed every ``resend_interval_seconds``
of its sink, all alerts of the sink in one request. Alerts resolved in the last
:data:`KEEP_RESOLVED_SECONDS` are pushed again too, so a resolution that found Alertmanager
down still reaches it. A refresh reads what fires when it is built; an attempt made after a
resolution was dispatched leaves that alert out (see ``overtaken``), but one that timed out
on our side may still be taken in after the resolution, so when a resolution was dispatched
while a refresh was under way, the next refresh of that sink is due at once. Pure: the
caller passes ``now`` and what fires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from mediawatch_common.alerting import IdSequence
from mediawatch_common.events import AlertRaised, AlertResolved
from mediawatch_notifier.grouping import Notification
from mediawatch_notifier.routing import Route

KEEP_RESOLVED_SECONDS = 15 * 60.0
"""How long a resolved alert is pushed again (Prometheus keeps re-sending them as long)."""

Firing = Callable[[str], Sequence[AlertRaised]]


class Refresher:
    """One refresh at a time per sink; :meth:`finished` when its delivery ended."""

    def __init__(
        self, intervals: Mapping[str, float], keep_resolved_seconds: float = KEEP_RESOLVED_SECONDS
    ) -> None:
        self._intervals = dict(intervals)
        self._keep = timedelta(seconds=keep_resolved_seconds)
        self._last: dict[str, datetime] = {}
        self._busy: set[str] = set()
        self._noted = dict.fromkeys(self._intervals, 0)
        self._built = dict.fromkeys(self._intervals, 0)
        self._resolved: dict[str, dict[str, tuple[AlertRaised, AlertResolved]]] = {
            sink: {} for sink in self._intervals
        }
        self._ids = IdSequence("refresh")

    def noted(self, n: Notification) -> None:
        """A notification was dispatched: keep its resolved alerts for the sinks refreshed."""
        for sink in n.route.sinks:
            if sink in self._resolved and n.resolved:
                self._resolved[sink].update((a.alert_id, (a, r)) for a, r in n.resolved)
                self._noted[sink] += 1

    def due(self, now: datetime, firing: Firing) -> list[tuple[str, Notification]]:
        """The refreshes to deliver now: (sink name, notification of its alerts)."""
        out = []
        for sink, interval in self._intervals.items():
            last = self._last.get(sink)
            if sink in self._busy or (
                last is not None and now < last + timedelta(seconds=interval)
            ):
                continue
            self._last[sink] = now
            alerts, resolved = tuple(firing(sink)), self._recent(sink, now)
            if not alerts and not resolved:
                continue
            self._busy.add(sink)
            self._built[sink] = self._noted[sink]
            route = Route(name="refresh", levels=frozenset(), sinks=(sink,), group_by=())
            key = f"refresh={sink}"
            out.append(
                (sink, Notification(self._ids.next(now), route, key, alerts, resolved, repeat=True))
            )
        return out

    def finished(self, sink: str) -> None:
        """The refresh of ``sink`` ended (delivered, given up or stopped)."""
        self._busy.discard(sink)
        if self._built.get(sink) != self._noted.get(sink):
            self._last.pop(sink, None)

    def _recent(self, sink: str, now: datetime) -> tuple[tuple[AlertRaised, AlertResolved], ...]:
        kept = self._resolved[sink]
        for alert_id in [i for i, (_, r) in kept.items() if r.ends_at + self._keep <= now]:
            del kept[alert_id]
        return tuple(kept.values())
