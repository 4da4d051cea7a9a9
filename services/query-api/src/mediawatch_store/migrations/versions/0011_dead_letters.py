"""Dead letters: one row per message of the dead-letter topic, for counts per topic and reason.

``reason_class`` is the reason without its specifics (``DecodeError: unknown_fingerprint``),
what the dashboard counts by; ``redriven_at`` is set by the dead letter's
``DeadLetterRedriven``.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE dead_letters (
            topic text NOT NULL,
            partition integer NOT NULL,
            "offset" bigint NOT NULL,
            origin_topic text NOT NULL,
            origin_partition integer NOT NULL,
            origin_offset bigint NOT NULL,
            consumer_group text NOT NULL,
            reason text NOT NULL,
            reason_class text NOT NULL,
            failed_at timestamptz NOT NULL,
            redriven_at timestamptz,
            PRIMARY KEY (topic, partition, "offset")
        )
        """
    )
    op.execute("CREATE INDEX dead_letters_failed_at ON dead_letters (failed_at)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS dead_letters")
