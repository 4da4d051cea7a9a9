"""``windows?stage=``: the aggregator's latest window results per stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text


def stage_windows(conn: Connection, stage: str | None, limit: int) -> dict[str, Any]:
    """The newest ``limit`` windows, of one stage or of all."""
    where = "WHERE stage = :stage" if stage else ""
    rows = conn.execute(
        text(
            "SELECT stage, window_start, window_end, window_seconds, hop_seconds, attempts, "  # noqa: S608
            "successes, failures, error_rate, failures_by_code, duration_count, "
            "duration_sum_seconds, p50_seconds, p95_seconds, p99_seconds, late_events, closed "
            f"FROM window_results {where} ORDER BY window_start DESC, stage LIMIT :n"
        ),
        {"stage": stage, "n": limit},
    ).fetchall()
    windows = [
        {
            **{k: v for k, v in r._mapping.items() if k not in ("window_start", "window_end")},
            "window_start": r.window_start,
            "window_end": r.window_end,
        }
        for r in rows
    ]
    return {"windows": windows, "total": len(windows), "filters": {"stage": stage, "limit": limit}}
