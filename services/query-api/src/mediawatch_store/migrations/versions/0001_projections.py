"""Projection tables, consumer positions, users and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None

TABLES = """
CREATE TABLE consumer_positions (
    group_id text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    next_offset bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);
CREATE TABLE pipeline_events (
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    event_time timestamptz NOT NULL,
    session_id text NOT NULL,
    stage text,
    topic text NOT NULL,
    partition integer NOT NULL,
    "offset" bigint NOT NULL,
    payload jsonb NOT NULL
);
CREATE INDEX pipeline_events_session ON pipeline_events (session_id, event_time);
CREATE TABLE sessions (
    session_id text PRIMARY KEY,
    user_id text NOT NULL,
    status text NOT NULL,
    current_stage text,
    stage_started_at timestamptz,
    started_at timestamptz NOT NULL,
    last_event_at timestamptz NOT NULL,
    stages_completed integer NOT NULL DEFAULT 0,
    failed_stage text,
    error_code text,
    processing_seconds double precision NOT NULL DEFAULT 0,
    peak_memory_mb double precision,
    video_count integer
);
CREATE INDEX sessions_active ON sessions (status, last_event_at);
CREATE TABLE stage_runs (
    session_id text NOT NULL,
    stage text NOT NULL,
    attempt integer NOT NULL,
    user_id text NOT NULL,
    started_at timestamptz,
    completed_at timestamptz,
    success boolean,
    duration_seconds double precision,
    error_code text,
    error_message text,
    input_size_bytes bigint,
    output_size_bytes bigint,
    video_count integer,
    peak_memory_mb double precision,
    cpu_percent double precision,
    PRIMARY KEY (session_id, stage, attempt)
);
CREATE INDEX stage_runs_completed ON stage_runs (completed_at);
CREATE TABLE stage_minutes (
    minute timestamptz NOT NULL,
    stage text NOT NULL,
    error_code text NOT NULL,
    attempts integer NOT NULL,
    successes integer NOT NULL,
    failures integer NOT NULL,
    duration_sum double precision NOT NULL,
    PRIMARY KEY (minute, stage, error_code)
);
CREATE TABLE resource_samples (
    event_id uuid NOT NULL,
    host text NOT NULL,
    sampled_at timestamptz NOT NULL,
    cpu_percent double precision NOT NULL,
    memory_percent double precision NOT NULL,
    memory_used_mb double precision NOT NULL,
    disk_percent double precision NOT NULL,
    disk_path text NOT NULL,
    temp_dir_bytes bigint NOT NULL,
    active_sessions integer NOT NULL
);
CREATE INDEX resource_samples_time ON resource_samples (sampled_at);
CREATE INDEX resource_samples_host ON resource_samples (host, sampled_at DESC);
CREATE TABLE window_results (
    stage text NOT NULL,
    window_seconds integer NOT NULL,
    hop_seconds integer NOT NULL,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    attempts integer NOT NULL,
    successes integer NOT NULL,
    failures integer NOT NULL,
    error_rate double precision NOT NULL,
    failures_by_code jsonb NOT NULL,
    duration_count integer NOT NULL,
    duration_sum_seconds double precision NOT NULL,
    p50_seconds double precision,
    p95_seconds double precision,
    p99_seconds double precision,
    late_events integer NOT NULL,
    closed boolean NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (stage, window_seconds, hop_seconds, window_start)
);
CREATE TABLE alerts (
    alert_id text PRIMARY KEY,
    fingerprint text NOT NULL,
    rule text NOT NULL,
    level text NOT NULL,
    title text NOT NULL,
    message text NOT NULL,
    session_id text,
    user_id text,
    stage text,
    labels jsonb NOT NULL,
    metadata jsonb NOT NULL,
    starts_at timestamptz NOT NULL,
    raised_at timestamptz NOT NULL,
    resolved_at timestamptz,
    resolve_reason text
);
CREATE INDEX alerts_raised ON alerts (raised_at DESC);
CREATE TABLE log_records (
    event_id uuid NOT NULL,
    "timestamp" timestamptz NOT NULL,
    level text NOT NULL,
    logger text NOT NULL,
    message text NOT NULL,
    module text NOT NULL,
    function text NOT NULL,
    line integer NOT NULL,
    process_id integer NOT NULL,
    thread_id bigint NOT NULL,
    service text NOT NULL,
    host text NOT NULL,
    extra jsonb NOT NULL
);
CREATE INDEX log_records_time ON log_records ("timestamp" DESC);
CREATE TABLE health_checks (
    event_id uuid NOT NULL,
    checked_at timestamptz NOT NULL,
    host text NOT NULL,
    overall_status text NOT NULL,
    total_check_time_ms double precision NOT NULL,
    checks jsonb NOT NULL
);
CREATE INDEX health_checks_time ON health_checks (checked_at DESC);
CREATE TABLE users (
    username text PRIMARY KEY,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('viewer', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text,
    action text NOT NULL,
    outcome text NOT NULL,
    client text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb
);
"""

DROP = (
    "audit_log users health_checks log_records alerts window_results resource_samples "
    "stage_minutes stage_runs sessions pipeline_events consumer_positions"
)


def upgrade() -> None:
    op.execute(TABLES)


def downgrade() -> None:
    op.execute("DROP TABLE " + ", ".join(DROP.split()))
