"""What the alerter and the notifier both read of alerts and silences."""

from __future__ import annotations

from mediawatch_common.alerting.alert_json import alert_json, iso_z
from mediawatch_common.alerting.alert_labels import match_labels
from mediawatch_common.alerting.id_sequence import RANDOM_FLOOR, IdSequence, random_id
from mediawatch_common.alerting.silence_book import Silence, SilenceBook
from mediawatch_common.alerting.silence_matchers import (
    MatcherError,
    check_matcher,
    matches,
    parse_matcher,
)

__all__ = [
    "RANDOM_FLOOR",
    "IdSequence",
    "MatcherError",
    "Silence",
    "SilenceBook",
    "alert_json",
    "check_matcher",
    "iso_z",
    "match_labels",
    "matches",
    "parse_matcher",
    "random_id",
]
