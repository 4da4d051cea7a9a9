"""``windows/series?hours=``: per-stage error rate, throughput and percentiles over time.

Built from the aggregator's tumbling windows (hop = size, so no attempt is counted twice),
grouped into chart buckets. A bucket's percentiles are the highest of its windows: merged
windows cannot give an exact percentile, and the worst window is what an operator looks for.

The window length is the caller's choice among those the aggregator produced in the period
(``AGGREGATOR_WINDOWS`` decides them: 1 min in production, 10 s in the demo); without one, the
shortest gives the finest chart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from mediawatch_api.queries.buckets import bucket_seconds, bucket_starts
from mediawatch_common.events import Stage

STAGES = tuple(stage.label for stage in Stage)
_BUCKETS = text(
    "SELECT stage, date_bin(make_interval(secs => :bucket), window_start, "
    "TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, sum(attempts) AS attempts, "
    "sum(failures) AS failures, max(p50_seconds) AS p50, max(p95_seconds) AS p95, "
    "max(p99_seconds) AS p99 FROM window_results WHERE stage = ANY(CAST(:stages AS text[])) "
    "AND window_seconds = :size AND hop_seconds = :size AND window_start >= :since GROUP BY 1, 2"
)
_LATEST = text(
    "SELECT DISTINCT ON (stage) stage, window_end, p50_seconds, p95_seconds, p99_seconds, "
    "duration_count FROM window_results WHERE stage = ANY(CAST(:stages AS text[])) "
    "AND window_seconds = :size AND hop_seconds = :size AND window_start >= :since "
    "AND duration_count > 0 ORDER BY stage, window_start DESC"
)
# The lengths per stage by skipping along the primary key (stage, window_seconds, hop_seconds,
# window_start): one index probe per length instead of reading every row of the period.
_SIZES = text(
    "WITH RECURSIVE sizes(stage, w) AS ("
    " SELECT s, (SELECT min(window_seconds) FROM window_results WHERE stage = s)"
    " FROM unnest(CAST(:stages AS text[])) AS s"
    " UNION ALL"
    " SELECT z.stage, (SELECT min(r.window_seconds) FROM window_results r"
    "  WHERE r.stage = z.stage AND r.window_seconds > z.w)"
    " FROM sizes z WHERE z.w IS NOT NULL)"
    " SELECT DISTINCT z.w AS window_seconds FROM sizes z WHERE z.w IS NOT NULL AND ("
    "  SELECT max(r.window_start) FROM window_results r WHERE r.stage = z.stage"
    "  AND r.window_seconds = z.w AND r.hop_seconds = z.w) >= :since"
    " ORDER BY 1"
)
DEFAULT_WINDOW_SECONDS = 60
"""The window charted when the period holds no tumbling window results at all."""
_FIELDS = ("attempts", "failures", "error_rate", "throughput_per_minute", "p50", "p95", "p99")


def _empty(n: int) -> dict[str, list[Any]]:
    return {name: [None] * n for name in _FIELDS}


def window_sizes(conn: Connection, since: datetime) -> list[int]:
    """Lengths of the tumbling windows (hop = size) with results since ``since``, ascending."""
    params = {"since": since, "stages": list(STAGES)}
    return [int(r.window_seconds) for r in conn.execute(_SIZES, params)]


def window_series(
    conn: Connection, hours: int, now: datetime, window_seconds: int | None = None
) -> dict[str, Any]:
    """Dense per-stage series (``None`` where a bucket had no window) and latest percentiles
    of ``window_seconds`` windows (default: the shortest tumbling windows of the period)."""
    since = now - timedelta(hours=hours)
    sizes = window_sizes(conn, since)
    if window_seconds is None:
        window_seconds = sizes[0] if sizes else DEFAULT_WINDOW_SECONDS
    size = bucket_seconds(hours, smallest=window_seconds)
    starts = bucket_starts(since, now, size)
    index = {start: i for i, start in enumerate(starts)}
    stages = {stage: _empty(len(starts)) for stage in STAGES}
    # The stage list lets PostgreSQL read the period's rows through the primary key
    # (stage, window_seconds, hop_seconds, window_start) instead of the whole table.
    params = {"bucket": size, "size": window_seconds, "since": since, "stages": list(STAGES)}
    for r in conn.execute(_BUCKETS, params):
        i = index.get(r.bucket)
        if i is None:
            continue
        series = stages.setdefault(r.stage, _empty(len(starts)))
        attempts, failures = int(r.attempts), int(r.failures)
        series["attempts"][i], series["failures"][i] = attempts, failures
        series["error_rate"][i] = round(failures / attempts, 4) if attempts else None
        series["throughput_per_minute"][i] = round(attempts * 60 / size, 3)
        series["p50"][i], series["p95"][i], series["p99"][i] = r.p50, r.p95, r.p99
    latest = {
        r.stage: {
            "window_end": r.window_end,
            "p50_seconds": r.p50_seconds,
            "p95_seconds": r.p95_seconds,
            "p99_seconds": r.p99_seconds,
            "count": r.duration_count,
        }
        for r in conn.execute(_LATEST, params)
    }
    return {
        "period_hours": hours,
        "window_seconds": window_seconds,
        "window_sizes": sizes,
        "bucket_seconds": size,
        "timestamps": [int(start.timestamp()) for start in starts],
        "stages": stages,
        "latest_percentiles": latest,
    }
