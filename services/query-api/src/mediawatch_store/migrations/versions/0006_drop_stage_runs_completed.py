"""Drop ``stage_runs_completed``: an index every stage run wrote and no query read.

``stats`` and the health checks read ``stage_minutes`` and ``stage_hours``, the timeline reads
``pipeline_events``; nothing looks stage runs up by completion time, and every COPY into
``stage_runs`` paid for it (docs/design-notes/projector.md).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS stage_runs_completed")


def downgrade() -> None:
    op.execute("CREATE INDEX stage_runs_completed ON stage_runs (completed_at)")
