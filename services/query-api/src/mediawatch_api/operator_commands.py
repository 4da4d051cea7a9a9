"""Operator commands turned into events (pure): silence, expire a silence, acknowledge.

Each function checks the request against the projected state and either returns the event
to append or raises :class:`CommandError` with the HTTP status that explains why not.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mediawatch_common.events import (
    AlertAcknowledged,
    Producer,
    SilenceCreated,
    SilenceExpired,
    SilenceMatcher,
)

OPERATORS = ("=", "!=", "=~", "!~")
MAX_MATCHERS = 10
MAX_SILENCE_MINUTES = 30 * 24 * 60
MAX_MATCHER_VALUE = 200
LABEL_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_LABEL = re.compile(LABEL_PATTERN)


class CommandError(Exception):
    """A command that cannot be carried out; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class MatcherInput:
    """One matcher as sent by a client."""

    label: str
    op: str
    value: str


def _matcher(m: MatcherInput) -> SilenceMatcher:
    if not _LABEL.match(m.label):
        raise CommandError(400, f"matcher label {m.label[:64]!r} is not a label name")
    if m.op not in OPERATORS:
        raise CommandError(400, f"matcher op must be one of {' '.join(OPERATORS)}")
    if len(m.value) > MAX_MATCHER_VALUE:
        raise CommandError(400, f"matcher value is longer than {MAX_MATCHER_VALUE} characters")
    if m.op in ("=~", "!~"):
        try:
            re.compile(m.value)
        except re.error:
            raise CommandError(
                400, f"matcher value {m.value!r} is not a regular expression"
            ) from None
    return SilenceMatcher(label=m.label, op=m.op, value=m.value)


def create_silence(
    matchers: Sequence[MatcherInput],
    duration_minutes: int,
    comment: str,
    author: str,
    now: datetime,
    producer: Producer,
    starts_at: datetime | None = None,
) -> SilenceCreated:
    """A SilenceCreated for ``duration_minutes`` from ``starts_at`` (default: now)."""
    if not 1 <= len(matchers) <= MAX_MATCHERS:
        raise CommandError(400, f"a silence needs 1 to {MAX_MATCHERS} matchers")
    if not 1 <= duration_minutes <= MAX_SILENCE_MINUTES:
        raise CommandError(400, f"duration_minutes must be 1 to {MAX_SILENCE_MINUTES}")
    if not comment.strip() or len(comment) > 500:
        raise CommandError(400, "comment must be 1 to 500 characters (say why)")
    start = starts_at or now
    if start.tzinfo is None:
        raise CommandError(400, "starts_at needs a time zone")
    try:
        ends_at = start + timedelta(minutes=duration_minutes)
    except OverflowError:
        raise CommandError(400, "the silence would end after the year 9999") from None
    return SilenceCreated(
        producer=producer,
        event_time=now,
        silence_id=f"silence_{int(now.timestamp())}_{uuid.uuid4().hex[:8]}",
        matchers=tuple(_matcher(m) for m in matchers),
        starts_at=start,
        ends_at=ends_at,
        author=author,
        comment=comment.strip(),
    )


def expire_silence(
    silence: Mapping[str, Any] | None, who: str, now: datetime, producer: Producer
) -> SilenceExpired:
    """A SilenceExpired for a silence that is still pending or active."""
    if silence is None:
        raise CommandError(404, "no such silence")
    if silence["state"] == "expired":
        raise CommandError(409, "the silence has already expired")
    return SilenceExpired(
        producer=producer,
        event_time=now,
        silence_id=silence["id"],
        reason=f"expired by {who}",
        expired_at=now,
    )


def acknowledge_alert(
    alert: Mapping[str, Any] | None, who: str, comment: str, now: datetime, producer: Producer
) -> AlertAcknowledged:
    """An AlertAcknowledged for a firing alert nobody has acknowledged yet."""
    if alert is None:
        raise CommandError(404, "no such alert")
    if alert["status"] != "firing":
        raise CommandError(409, "the alert is resolved; nothing to acknowledge")
    if alert["acknowledged"]:
        raise CommandError(409, f"already acknowledged by {alert['acknowledged_by']}")
    if len(comment) > 500:
        raise CommandError(400, "comment is longer than 500 characters")
    return AlertAcknowledged(
        producer=producer,
        event_time=now,
        alert_id=alert["id"],
        fingerprint=alert["fingerprint"],
        rule=alert["rule"],
        acknowledged_by=who,
        comment=comment.strip(),
    )
