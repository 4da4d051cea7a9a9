"""Alert and silence ids in the form ``<kind>_<epoch seconds>_<n>`` (``alert_1640995200_123``)."""

from __future__ import annotations

import re
from datetime import datetime

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
        """Remember an id issued before (read back from the log) so it is never reissued."""
        match = _ID.match(issued)
        if match:
            self._n = max(self._n, int(match.group(1)))
