"""Health reports per host: the reporter's interval, and the latest report of a host at hand.

``/health/detailed`` answers from the latest ``HealthChecked`` of every host; the interval
says when the next one was due, so a host whose reporter went quiet is shown as such.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute("ALTER TABLE health_checks ADD COLUMN interval_seconds double precision")
    op.execute("CREATE INDEX health_checks_host ON health_checks (host, checked_at DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS health_checks_host")
    op.execute("ALTER TABLE health_checks DROP COLUMN IF EXISTS interval_seconds")
