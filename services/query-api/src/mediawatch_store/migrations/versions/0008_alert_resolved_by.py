"""``alerts.resolved_by``: who resolved an alert by hand (``DELETE /alerts``), else null.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute("ALTER TABLE alerts ADD COLUMN resolved_by text")


def downgrade() -> None:
    op.execute("ALTER TABLE alerts DROP COLUMN resolved_by")
