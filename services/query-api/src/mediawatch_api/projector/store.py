"""Write one batch of rows and the consumer's positions in a single transaction."""

from __future__ import annotations

from typing import Any

import psycopg

from mediawatch_api.projector.alert_store import write_alerting
from mediawatch_api.projector.bulk import copy_rows, upsert_rows
from mediawatch_api.projector.rows import RUN_COLUMNS, Rows
from mediawatch_api.projector.sessions import SESSION_COLUMNS, SessionState, fold

Connection = psycopg.Connection[Any]
Positions = dict[tuple[str, int], int]

_COALESCE = ", ".join(f"{c} = COALESCE(EXCLUDED.{c}, stage_runs.{c})" for c in RUN_COLUMNS[3:])
_SESSION_SET = ", ".join(f"{c} = EXCLUDED.{c}" for c in SESSION_COLUMNS[1:])
_WINDOW_COLUMNS = (
    "stage, window_seconds, hop_seconds, window_start, window_end, attempts, successes, "
    "failures, error_rate, failures_by_code, duration_count, duration_sum_seconds, "
    "p50_seconds, p95_seconds, p99_seconds, late_events, closed, updated_at"
)
_WINDOW_SET = ", ".join(
    f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _WINDOW_COLUMNS.split(",")[4:]
)


def load_positions(conn: Connection, group: str, lock: bool = False) -> Positions:
    """Stored next offsets of ``group`` by (topic, partition)."""
    sql = "SELECT topic, partition, next_offset FROM consumer_positions WHERE group_id = %s"
    rows = conn.execute(sql + (" FOR UPDATE" if lock else ""), (group,)).fetchall()
    return {(topic, partition): offset for topic, partition, offset in rows}


def write_rows(conn: Connection, group: str, rows: Rows) -> None:
    """Write ``rows`` and advance the positions; the caller owns the transaction."""
    copy_rows(conn, "pipeline_events", _PIPELINE, rows.pipeline_events)
    copy_rows(conn, "resource_samples", _SAMPLES, rows.resource_samples)
    copy_rows(conn, "log_records", _LOGS, rows.logs)
    copy_rows(conn, "health_checks", _HEALTH, rows.health)
    upsert_rows(
        conn,
        "stage_runs",
        RUN_COLUMNS,
        rows.run_rows,
        f"(session_id, stage, attempt) DO UPDATE SET {_COALESCE}",
    )
    upsert_rows(conn, "stage_minutes", _MINUTES, rows.minute_rows, _MINUTES_CONFLICT)
    _write_sessions(conn, rows)
    upsert_rows(
        conn,
        "window_results",
        tuple(_WINDOW_COLUMNS.replace(" ", "").split(",")),
        list(rows.windows.values()),
        f"(stage, window_seconds, hop_seconds, window_start) DO UPDATE SET {_WINDOW_SET}",
    )
    write_alerting(conn, rows)
    _save_positions(conn, group, rows.positions)


_PIPELINE = (
    "event_id",
    "event_type",
    "event_time",
    "session_id",
    "stage",
    "topic",
    "partition",
    '"offset"',
    "payload",
)
_SAMPLES = (
    "event_id",
    "host",
    "sampled_at",
    "cpu_percent",
    "memory_percent",
    "memory_used_mb",
    "disk_percent",
    "disk_path",
    "temp_dir_bytes",
    "active_sessions",
)
_LOGS = (
    "event_id",
    '"timestamp"',
    "level",
    "logger",
    "message",
    "module",
    "function",
    "line",
    "process_id",
    "thread_id",
    "service",
    "host",
    "extra",
)
_HEALTH = ("event_id", "checked_at", "host", "overall_status", "total_check_time_ms", "checks")
_MINUTES = ("minute", "stage", "error_code", "attempts", "successes", "failures", "duration_sum")
_MINUTES_CONFLICT = (
    "(minute, stage, error_code) DO UPDATE SET attempts = stage_minutes.attempts + "
    "EXCLUDED.attempts, successes = stage_minutes.successes + EXCLUDED.successes, "
    "failures = stage_minutes.failures + EXCLUDED.failures, "
    "duration_sum = stage_minutes.duration_sum + EXCLUDED.duration_sum"
)


_SELECT_SESSIONS = (
    f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions "  # noqa: S608 - constant columns
    "WHERE session_id = ANY(%s) FOR UPDATE"
)


def _write_sessions(conn: Connection, rows: Rows) -> None:
    if not rows.session_events:
        return
    ids = list({event.session_id for event in rows.session_events})
    found = conn.execute(_SELECT_SESSIONS, (ids,)).fetchall()
    states: dict[str, SessionState] = {row[0]: SessionState(*row) for row in found}
    for event in rows.session_events:
        states[event.session_id] = fold(states.get(event.session_id), event)
    upsert_rows(
        conn,
        "sessions",
        SESSION_COLUMNS,
        [s.row() for s in states.values()],
        f"(session_id) DO UPDATE SET {_SESSION_SET}",
    )


def _save_positions(conn: Connection, group: str, positions: Positions) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO consumer_positions (group_id, topic, partition, next_offset) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (group_id, topic, partition) DO UPDATE "
            "SET next_offset = EXCLUDED.next_offset, updated_at = now()",
            [(group, topic, partition, offset) for (topic, partition), offset in positions.items()],
        )
