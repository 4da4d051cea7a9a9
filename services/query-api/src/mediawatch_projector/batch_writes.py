"""Write one batch of rows and the consumer's positions in a single transaction."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import psycopg

from mediawatch_projector.alerting_writes import write_alerting
from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.bulk import copy_rows, upsert_rows
from mediawatch_projector.deadletter_rows import write_dead_letters
from mediawatch_projector.pipeline_rows import RUN_COLUMNS
from mediawatch_projector.session_changes import CHANGE_COLUMNS

Connection = psycopg.Connection[Any]
Positions = dict[tuple[str, int], int]

_COALESCE = ", ".join(f"{c} = COALESCE(EXCLUDED.{c}, stage_runs.{c})" for c in RUN_COLUMNS[3:])
_WINDOW_COLUMNS = (
    "stage, window_seconds, hop_seconds, window_start, window_end, attempts, successes, "
    "failures, error_rate, failures_by_code, duration_count, duration_sum_seconds, "
    "p50_seconds, p95_seconds, p99_seconds, late_events, closed, updated_at"
)
_WINDOW_SET = ", ".join(
    f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _WINDOW_COLUMNS.split(",")[4:]
)


def load_positions(conn: Connection, group: str) -> Positions:
    """Stored next offsets of ``group`` by (topic, partition)."""
    sql = "SELECT topic, partition, next_offset FROM consumer_positions WHERE group_id = %s"
    rows = conn.execute(sql, (group,)).fetchall()
    return {(topic, partition): offset for topic, partition, offset in rows}


def lock_positions(
    conn: Connection, group: str, partitions: Collection[tuple[str, int]]
) -> Positions:
    """Stored next offsets of ``group`` for ``partitions``, locked until the transaction ends.

    Only those rows: another member of the group writing its own partitions' batches at the
    same time is not held up, while a former owner of these partitions still writing waits,
    then sees the offsets it would write again.
    """
    topics, numbers = zip(*partitions, strict=True) if partitions else ((), ())
    rows = conn.execute(
        "SELECT topic, partition, next_offset FROM consumer_positions WHERE group_id = %s "
        "AND (topic, partition) IN (SELECT * FROM unnest(%s::text[], %s::int[])) FOR UPDATE",
        (group, list(topics), list(numbers)),
    ).fetchall()
    return {(topic, partition): offset for topic, partition, offset in rows}


def write_rows(conn: Connection, group: str, rows: Rows) -> None:
    """Write ``rows`` and advance the positions; the caller owns the transaction."""
    copy_rows(conn, "pipeline_events", _PIPELINE, rows.pipeline_events, PIPELINE_TYPES)
    copy_rows(conn, "resource_samples", _SAMPLES, rows.resource_samples)
    copy_rows(conn, "log_records", _LOGS, rows.logs)
    copy_rows(conn, "health_checks", _HEALTH, rows.health)
    _write_runs(conn, rows)
    # In key order: members of the group writing at the same time lock shared minutes (and,
    # through the trigger, hours) in the same order, so they wait for each other at worst.
    upsert_rows(
        conn,
        "stage_minutes",
        _MINUTES,
        rows.minute_rows,
        _MINUTES_CONFLICT,
        _MINUTE_TYPES,
        order_by="minute, stage, error_code",
    )
    _write_sessions(conn, rows)
    upsert_rows(
        conn,
        "window_results",
        tuple(_WINDOW_COLUMNS.replace(" ", "").split(",")),
        list(rows.windows.values()),
        f"(stage, window_seconds, hop_seconds, window_start) DO UPDATE SET {_WINDOW_SET}",
    )
    write_alerting(conn, rows)
    write_dead_letters(conn, rows.dead_letters, rows.redrives)
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
    "message",
)
PIPELINE_TYPES = ("uuid", "text", "timestamptz", "text", "text", "text", "int4", "int8", "bytea")
_RUN_TYPES = (
    "text", "text", "int4", "text", "timestamptz", "timestamptz", "bool", "float8", "text",
    "text", "int8", "int8", "int4", "float8", "float8",
)  # fmt: skip
_MINUTE_TYPES = ("timestamptz", "text", "text", "int4", "int4", "int4", "float8")
_CHANGE_TYPES = (
    "text", "text", "timestamptz", "timestamptz", "float8", "int4", "float8", "bool", "int4",
    "bool", "text", "text", "text", "text", "bool", "text", "bool", "timestamptz",
)  # fmt: skip
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
_HEALTH = (
    "event_id",
    "checked_at",
    "host",
    "overall_status",
    "total_check_time_ms",
    "checks",
    "interval_seconds",
)
_MINUTES = ("minute", "stage", "error_code", "attempts", "successes", "failures", "duration_sum")
_MINUTES_CONFLICT = (
    "(minute, stage, error_code) DO UPDATE SET attempts = stage_minutes.attempts + "
    "EXCLUDED.attempts, successes = stage_minutes.successes + EXCLUDED.successes, "
    "failures = stage_minutes.failures + EXCLUDED.failures, "
    "duration_sum = stage_minutes.duration_sum + EXCLUDED.duration_sum"
)


_CHANGES_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS session_changes (session_id text, user_id text, "
    "first_at timestamptz, last_at timestamptz, processing double precision, completed integer, "
    "peak double precision, video_set boolean, video_count integer, failure_set boolean, "
    "failed_stage text, error_code text, status_mode text, status text, stage_set boolean, "
    "current_stage text, stage_at_set boolean, stage_started_at timestamptz) "
    "ON COMMIT DELETE ROWS"
)
# session_changes.apply() is this statement in Python; keep the two in step.
_MERGE_SESSIONS = """
MERGE INTO sessions s USING session_changes c ON s.session_id = c.session_id
WHEN MATCHED THEN UPDATE SET
    status = session_status_after(s.status, c.status_mode, c.status),
    current_stage = CASE WHEN c.stage_set THEN c.current_stage ELSE s.current_stage END,
    stage_started_at =
        CASE WHEN c.stage_at_set THEN c.stage_started_at ELSE s.stage_started_at END,
    last_event_at = GREATEST(s.last_event_at, c.last_at),
    stages_completed = s.stages_completed + c.completed,
    failed_stage = CASE WHEN c.failure_set THEN c.failed_stage ELSE s.failed_stage END,
    error_code = CASE WHEN c.failure_set THEN c.error_code ELSE s.error_code END,
    processing_seconds = s.processing_seconds + c.processing,
    peak_memory_mb = GREATEST(s.peak_memory_mb, c.peak),
    video_count = CASE WHEN c.video_set THEN c.video_count ELSE s.video_count END
WHEN NOT MATCHED THEN INSERT (
    session_id, user_id, status, current_stage, stage_started_at, started_at, last_event_at,
    stages_completed, failed_stage, error_code, processing_seconds, peak_memory_mb, video_count
) VALUES (
    c.session_id, c.user_id, session_status_after('queued', c.status_mode, c.status),
    CASE WHEN c.stage_set THEN c.current_stage END,
    CASE WHEN c.stage_at_set THEN c.stage_started_at END,
    c.first_at, GREATEST(c.first_at, c.last_at), c.completed,
    CASE WHEN c.failure_set THEN c.failed_stage END,
    CASE WHEN c.failure_set THEN c.error_code END,
    c.processing, c.peak,
    CASE WHEN c.video_set THEN c.video_count END
)
"""


def _write_runs(conn: Connection, rows: Rows) -> None:
    """COPY the runs this batch opened straight into ``stage_runs``, and merge the others.

    A run's StageStarted normally comes once, so the runs it opens are not stored yet: a plain
    COPY costs less than half of the merge (``INSERT … ON CONFLICT`` through a staging
    table). Should one be stored already (its event was read twice, or a producer sent it
    again), the COPY fails on the primary key, its savepoint is rolled back, and every run of
    the batch is merged instead.
    """
    opened, others = rows.split_run_rows()
    if opened:
        try:
            with conn.transaction():
                copy_rows(conn, "stage_runs", RUN_COLUMNS, opened, _RUN_TYPES)
        except psycopg.errors.UniqueViolation:
            others = opened + others
    upsert_rows(
        conn,
        "stage_runs",
        RUN_COLUMNS,
        others,
        f"(session_id, stage, attempt) DO UPDATE SET {_COALESCE}",
        _RUN_TYPES,
    )


def _write_sessions(conn: Connection, rows: Rows) -> None:
    """Merge the batch's change of each session into ``sessions`` in one statement."""
    if not rows.sessions:
        return
    conn.execute(_CHANGES_TABLE)
    copy_rows(conn, "session_changes", CHANGE_COLUMNS, rows.sessions.rows(), _CHANGE_TYPES)
    # A batch changes a few hundred sessions: look each one up by its key. With the default
    # random_page_cost (4, for spinning disks) the planner hashes the whole sessions table
    # once it holds tens of thousands of rows (docs/design-notes/projector.md).
    conn.execute("SET LOCAL random_page_cost = 1.1")
    conn.execute(_MERGE_SESSIONS)


def _save_positions(conn: Connection, group: str, positions: Positions) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO consumer_positions (group_id, topic, partition, next_offset) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (group_id, topic, partition) DO UPDATE "
            "SET next_offset = EXCLUDED.next_offset, updated_at = now()",
            [(group, topic, partition, offset) for (topic, partition), offset in positions.items()],
        )
