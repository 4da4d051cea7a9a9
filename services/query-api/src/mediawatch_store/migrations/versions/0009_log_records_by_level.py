"""``log_records (level, "timestamp" DESC)``: the newest records of the rare levels at once.

``logs/recent?level=ERROR`` and the dashboard's live ``logs/stream`` (polled every second per
open page) ask for the newest ERROR and CRITICAL records. With only the time index PostgreSQL
walks back through every INFO record until it has found enough, a cost that grows with the
table (docs/design-notes/projector.md).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.execute('CREATE INDEX log_records_level_time ON log_records (level, "timestamp" DESC)')


def downgrade() -> None:
    op.execute("DROP INDEX log_records_level_time")
