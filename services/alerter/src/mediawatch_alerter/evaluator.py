"""The alerter's pure core: rules plus the alert book, driven by events and clock ticks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mediawatch_alerter.alerts import AlertBook
from mediawatch_alerter.alerts.clearing import is_clearing
from mediawatch_alerter.alerts.inhibition import DEFAULT_INHIBITIONS, InhibitRule
from mediawatch_alerter.rules import (
    ReporterMissingRule,
    Rule,
    RulesFile,
    StuckSessionRule,
    builtin_rules,
)
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.alerting import SilenceBook
from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    Event,
    Producer,
    SilenceCreated,
    SilenceExpired,
)
from mediawatch_common.settings import MonitoringSettings
from mediawatch_common.wall_clock import Clock

Output = AlertRaised | AlertResolved | SilenceExpired


class Evaluator:
    """Feeds events and ticks to every rule and the findings to the alert book."""

    def __init__(
        self,
        rules: Sequence[Rule],
        producer: Producer,
        clock: Clock,
        *,
        inhibitions: Sequence[InhibitRule] | None = None,
        default_valid_for: float | None = None,
    ) -> None:
        self.rules = list(rules)
        self._clock = clock
        self._producer = producer
        validity: dict[str, float | None] = {}
        for rule in self.rules:
            validity.update(rule.emits)
        self.book = AlertBook(
            producer,
            silences=SilenceBook(),
            inhibitions=DEFAULT_INHIBITIONS if inhibitions is None else inhibitions,
            valid_for=lambda name: validity.get(name, default_valid_for),
        )

    @property
    def silences(self) -> SilenceBook:
        """The silences in force (shared with the book)."""
        return self.book.silences

    def set_live(self, live: bool) -> None:
        """Whether the input is caught up; time-based rules only judge live data."""
        for rule in self.rules:
            if isinstance(rule, StuckSessionRule | ReporterMissingRule):
                rule.live = live

    def handle(self, event: Event | DeadLetter) -> list[Output]:
        """Events to publish because of one input event (or dead letter)."""
        if isinstance(event, DeadLetter):
            now = self._clock.now()
            found = [
                f for r in self.rules for f in r.on_dead_letter(event, now, self.book.level_of)
            ]
            return list(self.book.observe(found, now))
        if isinstance(event, SilenceCreated | SilenceExpired):
            self.silences.apply(event)
            return []
        if isinstance(event, AlertResolved) and is_clearing(event):
            self.book.clear(event)  # an operator's: final for that instance
            return []
        if isinstance(event, AlertRaised | AlertResolved):
            return []  # our own, read back
        findings = [f for rule in self.rules for f in rule.on_event(event, self.book.level_of)]
        return list(self.book.observe(findings, self._clock.now()))

    def tick(self) -> list[Output]:
        """Events due to the passing of time: stuck sessions, ``for`` durations, expiries."""
        now = self._clock.now()
        findings = [f for rule in self.rules for f in rule.on_tick(now, self.book.level_of)]
        events: list[Output] = [*self.book.observe(findings, now), *self.book.tick(now)]
        for silence_id in self.silences.ended(now):
            expired = SilenceExpired(
                event_time=now,
                producer=self._producer,
                silence_id=silence_id,
                reason="end time reached",
                expired_at=now,
            )
            self.silences.apply(expired)
            events.append(expired)
        return events

    def recall(self, events: Iterable[Event]) -> int:
        """Let every rule learn from recent input events read back at start; returns how many
        were read. Nothing is published: the live input decides."""
        count = 0
        for event in events:
            for rule in self.rules:
                rule.recall(event)
            count += 1
        return count

    def restore(self, events: Iterable[Event]) -> int:
        """Rebuild alert and silence state from the alerts topic; returns events applied."""
        now = self._clock.now()
        count = 0
        for event in events:
            if isinstance(event, AlertRaised | AlertResolved):
                self.book.restore(event, now)
            elif isinstance(event, SilenceCreated | SilenceExpired):
                self.silences.apply(event)
            else:
                continue
            count += 1
        return count


def build_evaluator(
    monitoring: MonitoringSettings,
    alerter: AlerterSettings,
    producer: Producer,
    clock: Clock,
    rules_file: RulesFile | None = None,
    missed_reports: int = 3,
) -> Evaluator:
    """The built-in rules (minus those disabled) plus a rules file's own."""
    extra = rules_file or RulesFile()
    builtin = builtin_rules(monitoring, alerter, missed_reports)
    rules = [r for r in builtin if not set(r.emits) & extra.disable]
    return Evaluator(
        [*rules, *extra.rules],
        producer,
        clock,
        inhibitions=extra.inhibitions,
        default_valid_for=alerter.stale_after_seconds,
    )
