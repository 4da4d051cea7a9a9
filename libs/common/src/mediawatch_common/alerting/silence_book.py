"""The silences in force, rebuilt from SilenceCreated and SilenceExpired events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mediawatch_common.alerting.silence_matchers import matches
from mediawatch_common.events import SilenceCreated, SilenceExpired


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence as the book keeps it."""

    created: SilenceCreated
    expired: bool = False

    def active(self, now: datetime) -> bool:
        """Whether it applies at ``now``."""
        return not self.expired and self.created.starts_at <= now < self.created.ends_at

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether it is active and every matcher holds."""
        return self.active(now) and all(matches(m, labels) for m in self.created.matchers)


class SilenceBook:
    """Every silence, built from :class:`SilenceCreated` and :class:`SilenceExpired` events."""

    def __init__(self) -> None:
        self._silences: dict[str, Silence] = {}

    def apply(self, event: SilenceCreated | SilenceExpired) -> None:
        """Record a silence event (idempotent: reading the log twice changes nothing)."""
        if isinstance(event, SilenceCreated):
            previous = self._silences.get(event.silence_id)
            self._silences[event.silence_id] = Silence(
                event, previous.expired if previous else False
            )
        elif (known := self._silences.get(event.silence_id)) is not None:
            self._silences[event.silence_id] = Silence(known.created, expired=True)

    def muting(self, labels: Mapping[str, str], now: datetime) -> str | None:
        """Id of an active silence that mutes ``labels``, if any."""
        for silence_id, silence in self._silences.items():
            if silence.mutes(labels, now):
                return silence_id
        return None

    def ended(self, now: datetime) -> list[str]:
        """Ids of silences past their end that no :class:`SilenceExpired` has closed yet."""
        return [
            sid for sid, s in self._silences.items() if not s.expired and s.created.ends_at <= now
        ]

    def all(self) -> Iterable[Silence]:
        """Every silence known, expired ones included."""
        return self._silences.values()
