"""The alert lifecycle: findings, fingerprints, inhibition, clearing and the alert book;
operators' silence actions."""

from __future__ import annotations

from mediawatch_alerter.alerts.book import AlertBook, AlertEvent
from mediawatch_alerter.alerts.finding import Finding, fingerprint
from mediawatch_alerter.alerts.inhibition import DEFAULT_INHIBITIONS, InhibitRule
from mediawatch_alerter.alerts.silence_actions import (
    SilenceError,
    SilenceRow,
    expire,
    listing,
    new_silence,
    parse_duration,
    silence_book,
)

__all__ = [
    "DEFAULT_INHIBITIONS",
    "AlertBook",
    "AlertEvent",
    "Finding",
    "InhibitRule",
    "SilenceError",
    "SilenceRow",
    "expire",
    "fingerprint",
    "listing",
    "new_silence",
    "parse_duration",
    "silence_book",
]
