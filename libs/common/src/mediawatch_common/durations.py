"""Durations written by people: ``90s``, ``30m``, ``2h``, ``1.5d``, ``1w``.

The one grammar of every command and setting that takes a duration (silences, replay and
backtest ages, ``mediawatch logs --since``, ``/logs/recent?since=``).
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

EXAMPLES = "90s, 30m, 2h, 1.5d, 1w"
"""Examples for error messages and help texts."""


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta:
    """A positive duration: a number (decimals allowed) and a unit among s, m, h, d, w.

    ``allow_zero`` also accepts ``0s``, ``0h``...: an age of zero is "now".

    Raises:
        ValueError: naming ``text``, when it is anything else (``0h``, ``2 hours``, ``h``).
    """
    match = _DURATION.match(text)
    if match is None or (float(match.group(1)) == 0 and not allow_zero):
        raise ValueError(f"not a duration: {text!r} (use e.g. {EXAMPLES})")
    return timedelta(seconds=float(match.group(1)) * _SECONDS[match.group(2)])
