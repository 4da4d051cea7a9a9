"""Operator silences: create, expire and list them (pure; the CLI appends the events)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mediawatch_common import durations
from mediawatch_common.alerting import Silence, SilenceBook, parse_matcher
from mediawatch_common.events import Event, Producer, SilenceCreated, SilenceExpired


class SilenceError(ValueError):
    """A silence cannot be created or expired as asked."""


def parse_duration(text: str) -> timedelta:
    """How long a silence lasts, in the project's one duration grammar (``90s`` ... ``1w``).

    Raises:
        SilenceError: for anything else.
    """
    try:
        return durations.parse_duration(text)
    except ValueError as exc:
        raise SilenceError(str(exc)) from None


def new_silence(
    matchers: Sequence[str],
    *,
    starts_at: datetime,
    duration: timedelta,
    author: str,
    comment: str,
    producer: Producer,
) -> SilenceCreated:
    """A :class:`SilenceCreated` muting what every matcher matches, for ``duration``.

    Raises:
        SilenceError: no matcher, a bad matcher, or an empty author or comment.
    """
    if not matchers:
        raise SilenceError("give at least one --matcher (a silence of everything is refused)")
    if not author.strip() or not comment.strip():
        raise SilenceError("a silence needs an author and a comment")
    try:
        parsed = tuple(parse_matcher(m) for m in matchers)
    except ValueError as exc:
        raise SilenceError(str(exc)) from None
    return SilenceCreated(
        event_time=starts_at,
        producer=producer,
        # Random suffix: two operators adding a silence in the same second get distinct ids.
        silence_id=f"silence_{int(starts_at.timestamp())}_{secrets.randbelow(10**6)}",
        matchers=parsed,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        author=author.strip(),
        comment=comment.strip(),
    )


def silence_book(events: Iterable[Event]) -> SilenceBook:
    """The silences recorded in a read-back of the alerts topic."""
    book = SilenceBook()
    for event in events:
        if isinstance(event, SilenceCreated | SilenceExpired):
            book.apply(event)
    return book


def expire(
    book: SilenceBook, silence_id: str, *, now: datetime, reason: str, producer: Producer
) -> SilenceExpired:
    """The event that ends ``silence_id`` now.

    Raises:
        SilenceError: the silence is unknown, or already expired or past its end.
    """
    found = {s.created.silence_id: s for s in book.all()}.get(silence_id)
    if found is None:
        raise SilenceError(f"no silence {silence_id!r} on the alerts topic")
    if found.expired or found.created.ends_at <= now:
        raise SilenceError(f"silence {silence_id} has already ended")
    return SilenceExpired(
        event_time=now, producer=producer, silence_id=silence_id, reason=reason, expired_at=now
    )


@dataclass(frozen=True, slots=True)
class SilenceRow:
    """A silence as ``silences list`` shows it."""

    silence: Silence
    state: str  # active | pending | expired


def listing(book: SilenceBook, now: datetime, *, everything: bool = False) -> list[SilenceRow]:
    """Active and pending silences (all with ``everything``), soonest end first."""
    rows = [SilenceRow(s, _state(s, now)) for s in book.all()]
    if not everything:
        rows = [r for r in rows if r.state != "expired"]
    return sorted(rows, key=lambda r: (r.silence.created.ends_at, r.silence.created.silence_id))


def _state(silence: Silence, now: datetime) -> str:
    if silence.expired or silence.created.ends_at <= now:
        return "expired"
    return "active" if silence.active(now) else "pending"
