"""Write one batch of rows and the consumer's positions in a single transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from mediawatch_api.projector.rows import RUN_COLUMNS, Row, Rows
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
    _copy(conn, "pipeline_events", _PIPELINE, rows.pipeline_events)
    _copy(conn, "resource_samples", _SAMPLES, rows.resource_samples)
    _copy(conn, "log_records", _LOGS, rows.logs)
    _copy(conn, "health_checks", _HEALTH, rows.health)
    _upsert(
        conn,
        "stage_runs",
        RUN_COLUMNS,
        rows.run_rows,
        f"(session_id, stage, attempt) DO UPDATE SET {_COALESCE}",
    )
    _upsert(conn, "stage_minutes", _MINUTES, rows.minute_rows, _MINUTES_CONFLICT)
    _write_sessions(conn, rows)
    _upsert(
        conn,
        "window_results",
        tuple(_WINDOW_COLUMNS.replace(" ", "").split(",")),
        list(rows.windows.values()),
        f"(stage, window_seconds, hop_seconds, window_start) DO UPDATE SET {_WINDOW_SET}",
    )
    _upsert(
        conn,
        "alerts",
        _ALERTS,
        list(rows.alerts_raised.values()),
        "(alert_id) DO UPDATE SET level = EXCLUDED.level, title = EXCLUDED.title, "
        "message = EXCLUDED.message, metadata = EXCLUDED.metadata",
    )
    _resolve_alerts(conn, rows.alerts_resolved)
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
_ALERTS = (
    "alert_id",
    "fingerprint",
    "rule",
    "level",
    "title",
    "message",
    "session_id",
    "user_id",
    "stage",
    "labels",
    "metadata",
    "starts_at",
    "raised_at",
)


def _copy(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    if not rows:
        return
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def _upsert(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Row], conflict: str
) -> None:
    """COPY into a temporary twin of ``table``, then one INSERT ... ON CONFLICT."""
    if not rows:
        return
    names = ", ".join(columns)
    staging = f"staging_{table}"
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
        f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    _copy(conn, staging, columns, rows)
    conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ON CONFLICT {conflict}"  # noqa: S608 - constant identifiers
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
    _upsert(
        conn,
        "sessions",
        SESSION_COLUMNS,
        [s.row() for s in states.values()],
        f"(session_id) DO UPDATE SET {_SESSION_SET}",
    )


def _resolve_alerts(conn: Connection, resolved: Sequence[Row]) -> None:
    if resolved:
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE alerts SET resolved_at = %s, resolve_reason = %s WHERE alert_id = %s",
                [(ended, reason, alert_id) for alert_id, ended, reason in resolved],
            )


def _save_positions(conn: Connection, group: str, positions: Positions) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO consumer_positions (group_id, topic, partition, next_offset) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (group_id, topic, partition) DO UPDATE "
            "SET next_offset = EXCLUDED.next_offset, updated_at = now()",
            [(group, topic, partition, offset) for (topic, partition), offset in positions.items()],
        )
