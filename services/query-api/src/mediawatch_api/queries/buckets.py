"""Time buckets for charts: a few hundred points whatever the range (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

NICE_SECONDS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_POINTS = 240


def bucket_seconds(hours: int, smallest: int = 60, max_points: int = MAX_POINTS) -> int:
    """The smallest round bucket of at least ``smallest`` seconds giving <= ``max_points``."""
    span = hours * 3600
    for size in NICE_SECONDS:
        if size >= smallest and span / size <= max_points:
            return size
    return max(NICE_SECONDS[-1], smallest)


def floor_time(at: datetime, seconds: int) -> datetime:
    """``at`` rounded down to a multiple of ``seconds`` since the Unix epoch."""
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=at.tzinfo)


def bucket_starts(since: datetime, until: datetime, seconds: int) -> list[datetime]:
    """Every bucket start from the one holding ``since`` to the one holding ``until``."""
    first, last = floor_time(since, seconds), floor_time(until, seconds)
    count = int((last - first).total_seconds()) // seconds + 1
    return [first + timedelta(seconds=seconds * i) for i in range(count)]
