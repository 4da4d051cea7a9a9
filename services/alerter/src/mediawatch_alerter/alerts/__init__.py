"""The alert lifecycle: findings, fingerprints, silences, inhibition and the alert book."""

from __future__ import annotations

from mediawatch_alerter.alerts.book import AlertBook, AlertEvent, match_labels
from mediawatch_alerter.alerts.finding import Finding, fingerprint
from mediawatch_alerter.alerts.ids import IdSequence
from mediawatch_alerter.alerts.inhibition import DEFAULT_INHIBITIONS, InhibitRule
from mediawatch_alerter.alerts.silences import (
    MatcherError,
    Silence,
    SilenceBook,
    matches,
    parse_matcher,
)
from mediawatch_alerter.alerts.silencing import (
    SilenceError,
    SilenceRow,
    expire,
    listing,
    new_silence,
    parse_duration,
    silence_book,
)
from mediawatch_alerter.alerts.view import alert_json, iso_z

__all__ = [
    "DEFAULT_INHIBITIONS",
    "AlertBook",
    "AlertEvent",
    "Finding",
    "IdSequence",
    "InhibitRule",
    "MatcherError",
    "Silence",
    "SilenceBook",
    "SilenceError",
    "SilenceRow",
    "alert_json",
    "expire",
    "fingerprint",
    "iso_z",
    "listing",
    "match_labels",
    "matches",
    "new_silence",
    "parse_duration",
    "parse_matcher",
    "silence_book",
]
