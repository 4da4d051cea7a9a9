"""The session status merge the projector applies once per batch.

The projector folds each batch's pipeline events into one change per session and merges it
into ``sessions`` with a single statement. A batch's effect on ``status`` is one of three
transitions (``keep``, ``set`` a value, or set a value ``unless_failed``); this function
applies one to the stored status, so the statement and its tests share one definition.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"

UPGRADE = """
CREATE FUNCTION session_status_after(current_status text, mode text, new_status text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE mode
        WHEN 'set' THEN new_status
        WHEN 'unless_failed' THEN
            CASE WHEN current_status = 'failed' THEN 'failed' ELSE new_status END
        ELSE current_status
    END
$$;
"""

DOWNGRADE = "DROP FUNCTION session_status_after(text, text, text);"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
