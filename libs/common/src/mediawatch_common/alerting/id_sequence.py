"""Alert and silence ids in the form ``<kind>_<epoch seconds>_<n>`` (``alert_1640995200_123``).

Two ranges of ``n`` keep producers of the same kind apart. The alerter numbers its alerts in
sequence, below :data:`RANDOM_FLOOR`; it continues past every id it reads back, and only one
alerter at a time may append to the alerts topic (docs/alerting.md, "Several instances"), so
no two of its alerts share an id. A producer that keeps no sequence (the API's test alerts)
draws ``n`` at random at or above the floor, where a sequence never reaches.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

RANDOM_FLOOR = 10**12
"""Numbers from here on are drawn at random; a sequence stays below."""

_RANDOM_SPAN = 9 * 10**17
_ID = re.compile(r"^[a-z]+_\d+_(\d+)$")


class IdSequence:
    """Issues ids with a counter that continues past every id seen (also after a restart)."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._n = 0

    def next(self, now: datetime) -> str:
        """A new id stamped with ``now``."""
        self._n += 1
        return f"{self._kind}_{int(now.timestamp())}_{self._n}"

    def seen(self, issued: str) -> None:
        """Remember an id issued before (read back from the log) so it is never reissued.
        Ids drawn at random (at or above :data:`RANDOM_FLOOR`) are not part of the sequence."""
        match = _ID.match(issued)
        if match and int(match.group(1)) < RANDOM_FLOOR:
            self._n = max(self._n, int(match.group(1)))


def random_id(kind: str, now: datetime) -> str:
    """An id for a producer without a sequence: ``n`` drawn from 10^12 up to 10^18 - 1."""
    return f"{kind}_{int(now.timestamp())}_{RANDOM_FLOOR + secrets.randbelow(_RANDOM_SPAN)}"
