"""Schemathesis hooks of the API fuzz test: what a silence or an event batch needs that OpenAPI
cannot say.

The document states every other rule of a new silence (matchers 1 to 10, label pattern,
operators, lengths, duration 1 to 43,200 minutes, a comment that is not blank), so generated
bodies that break one are sent as negative cases and must get 400. Two rules depend on two
fields at once: the value of a ``=~``/``!~`` matcher must be a regular expression, and
``starts_at`` plus the duration must fall before the year 10000. Bodies breaking those are
not "valid" although the schema allows them, so they are left out of the positive cases
instead of switching ``positive_data_acceptance`` off for the operation. Likewise, an event
batch's times must have an instant in UTC (see :func:`events_are_appendable`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis

SILENCES = "POST /api/v1/monitoring/silences"


def _regex(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return False
    return True


def _ends_in_range(body: dict[str, Any]) -> bool:
    start, minutes = body.get("starts_at"), body.get("duration_minutes")
    if not isinstance(start, str) or not isinstance(minutes, int):
        return True
    try:
        datetime.fromisoformat(start) + timedelta(minutes=minutes)
    except (ValueError, OverflowError):
        return False
    return True


def silence_is_creatable(body: Any) -> bool:
    """Whether a schema-valid silence body also meets the two cross-field rules."""
    if not isinstance(body, dict):
        return True
    matchers = body.get("matchers")
    for m in matchers if isinstance(matchers, list) else []:
        regex = isinstance(m, dict) and m.get("op") in ("=~", "!~")
        if regex and isinstance(m.get("value"), str) and not _regex(m["value"]):
            return False
    return _ends_in_range(body)


@schemathesis.hook
def filter_body(ctx: Any, body: Any) -> bool:
    """Keep every body but silences breaking a cross-field rule and event batches with a time
    outside UTC's range."""
    operation = getattr(ctx, "operation", None)
    if operation is None:
        return True
    if operation.label == SILENCES:
        return silence_is_creatable(body)
    if operation.label == EVENTS:
        return events_are_appendable(body)
    return True


EVENTS = "POST /api/v1/events"


def _in_utc_range(text: Any) -> bool:
    if not isinstance(text, str):
        return True
    try:
        datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


def events_are_appendable(body: Any) -> bool:
    """Whether every time of a schema-valid batch also falls within UTC's years 1 to 9999.

    A ``date-time`` at the very edge (``0001-01-01T00:00:00+05:00``) is valid RFC 3339 but
    has no UTC instant a timestamp can hold; the API refuses it with 422.
    """
    events = body.get("events") if isinstance(body, dict) else None
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict):
            for key in ("event_time", "started_at"):
                if not _in_utc_range(event.get(key)):
                    return False
    return True
