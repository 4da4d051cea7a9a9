"""Event ids the HTTP ingest took in, shared by every API process, so that a resent event is
appended once whichever process receives it.

``ingest_event_ids`` holds each id with the claim (one request's attempt) that appends it and
when that claim was made (the database's clock). ``ingest_claims`` holds each claim's state:
``claimed`` while the request produces, ``produced`` once Kafka acknowledged all its events.
Confirming a batch then writes one row, not one per event. Both grow in time order, so a
BRIN index finds the rows past the retention at almost no cost per insert.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE ingest_claims (
            claim uuid PRIMARY KEY,
            state text NOT NULL CHECK (state IN ('claimed', 'produced')),
            claimed_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE ingest_event_ids (
            event_id uuid PRIMARY KEY,
            claim uuid NOT NULL,
            claimed_at timestamptz NOT NULL
        )
        """
    )
    for table in ("ingest_claims", "ingest_event_ids"):
        op.execute(f"CREATE INDEX {table}_claimed_at ON {table} USING brin (claimed_at)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS ingest_event_ids")
    op.execute("DROP TABLE IF EXISTS ingest_claims")
