"""Silences, alert deliveries, acknowledgements and the alert change sequence.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"

UPGRADE = """
CREATE SEQUENCE alert_changes;
ALTER TABLE alerts
    ADD COLUMN acknowledged_at timestamptz,
    ADD COLUMN acknowledged_by text,
    ADD COLUMN acknowledge_comment text,
    ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('alert_changes');
CREATE INDEX alerts_change_seq ON alerts (change_seq);
CREATE INDEX alerts_firing ON alerts (raised_at DESC) WHERE resolved_at IS NULL;
CREATE TABLE silences (
    silence_id text PRIMARY KEY,
    matchers jsonb NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    author text NOT NULL,
    comment text NOT NULL,
    created_at timestamptz NOT NULL,
    expired_at timestamptz,
    expire_reason text
);
CREATE INDEX silences_ends ON silences (ends_at DESC);
CREATE TABLE alert_deliveries (
    event_id uuid PRIMARY KEY,
    notification_id text NOT NULL,
    group_key text NOT NULL,
    sink text NOT NULL,
    sink_type text NOT NULL,
    status text NOT NULL,
    alert_ids text[] NOT NULL,
    attempt integer NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    http_status integer,
    duration_ms double precision NOT NULL,
    rate_limited_ms double precision,
    error text,
    final boolean,
    retry_in_seconds double precision,
    at timestamptz NOT NULL
);
CREATE INDEX alert_deliveries_alerts ON alert_deliveries USING gin (alert_ids);
CREATE INDEX alert_deliveries_at ON alert_deliveries (at);
"""

DOWNGRADE = """
DROP TABLE alert_deliveries;
DROP TABLE silences;
DROP INDEX alerts_firing;
ALTER TABLE alerts DROP COLUMN change_seq, DROP COLUMN acknowledge_comment,
    DROP COLUMN acknowledged_by, DROP COLUMN acknowledged_at;
DROP SEQUENCE alert_changes;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
