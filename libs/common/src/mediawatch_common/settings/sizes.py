"""Human-readable byte sizes such as ``LOG_ROTATION_SIZE=50MB``."""

from __future__ import annotations

import re

_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """Return the number of bytes in ``text`` (``"50MB"``, ``"512 KB"``, ``"1048576"``).

    Units are binary (1 MB = 1024 * 1024 bytes), as log rotation sizes usually are.

    Raises:
        ValueError: when the text is not a non-negative size with a known unit.
    """
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"size must not be negative, got {text}")
        return text
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (expected e.g. 50MB, 512KB or a byte count)")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.upper()])
