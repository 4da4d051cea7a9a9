"""The alerter's Prometheus metrics: evaluations, firing alerts, raise and resolve transitions.

Labels are bounded: ``rule`` is a rule's name (built-in, from the rules file, or a custom
alert type), ``level`` an ``AlertLevel``, ``trigger`` and ``transition`` fixed words.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Sequence

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

from mediawatch_common.events import AlertRaised, AlertResolved, Event


class AlerterMetrics:
    """Counts what the alerter evaluates and publishes; mirrors the alerts firing."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.evaluations = Counter(
            "mediawatch_alerter_evaluations",
            "Rule evaluations: one per event read (trigger=event), one per clock tick (tick).",
            ["trigger"],
            registry=registry,
        )
        self.firing = Gauge(
            "mediawatch_alerter_alerts_firing",
            "Alerts firing and announced, by rule and level.",
            ["rule", "level"],
            registry=registry,
        )
        self.transitions = Counter(
            "mediawatch_alert_transitions",
            "Alerts raised and resolved by the alerter, by rule and transition.",
            ["rule", "transition"],
            registry=registry,
        )
        self._shown: set[tuple[str, str]] = set()

    def evaluated(self, trigger: str, count: int = 1) -> None:
        """``count`` more evaluations of ``trigger`` (``event`` or ``tick``)."""
        self.evaluations.labels(trigger).inc(count)

    def published(self, events: Sequence[Event]) -> None:
        """Count the raised and resolved alerts among ``events``."""
        for event in events:
            if isinstance(event, AlertRaised):
                self.transitions.labels(event.rule, "raised").inc()
            elif isinstance(event, AlertResolved):
                self.transitions.labels(event.rule, "resolved").inc()

    def firing_now(self, firing: Iterable[AlertRaised]) -> None:
        """Set the firing gauge to ``firing``; a rule and level no longer firing shows 0."""
        counts = Tally((alert.rule, alert.level.value) for alert in firing)
        for key in self._shown - counts.keys():
            self.firing.labels(*key).set(0)
        for key, count in counts.items():
            self.firing.labels(*key).set(count)
        self._shown |= counts.keys()
