"""Read the event history back: positions, filters, and the incident timeline."""

from __future__ import annotations

from mediawatch_common.replay.filters import (
    Replayed,
    ReplayFilter,
    failed_sessions,
    in_sessions,
)
from mediawatch_common.replay.positions import Bound, parse_bound
from mediawatch_common.replay.reader import HistoryReader, Progress, Range
from mediawatch_common.replay.render import json_line, timeline_line

__all__ = [
    "Bound",
    "HistoryReader",
    "Progress",
    "Range",
    "ReplayFilter",
    "Replayed",
    "failed_sessions",
    "in_sessions",
    "json_line",
    "parse_bound",
    "timeline_line",
]
