"""``pipeline_events.message``: each pipeline event kept as the message read from Kafka.

Until this revision every row carried its record as ``jsonb`` (``payload``). Turning each
record into JSON and PostgreSQL parsing it into ``jsonb`` were the largest single cost of a
projected event, for a column only the session timeline reads. Rows now keep the message as
it was read (framed Avro: marker, schema fingerprint, body) in ``message``, which the
timeline decodes with the schema registry; rows written before keep their ``payload``. Each
row has one of the two.

Downgrading is refused while rows hold only a message: the older code cannot show them.
Empty the table and rebuild the projection from the log with the older release instead.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"

UPGRADE = """
ALTER TABLE pipeline_events ADD COLUMN message bytea;
ALTER TABLE pipeline_events ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE pipeline_events ADD CONSTRAINT pipeline_events_body
    CHECK (payload IS NOT NULL OR message IS NOT NULL);
"""

DOWNGRADE = """
ALTER TABLE pipeline_events DROP CONSTRAINT pipeline_events_body;
ALTER TABLE pipeline_events ALTER COLUMN payload SET NOT NULL;
ALTER TABLE pipeline_events DROP COLUMN message;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    only_messages = op.get_bind().scalar(
        text("SELECT count(*) FROM pipeline_events WHERE payload IS NULL")
    )
    if only_messages:
        raise RuntimeError(
            f"pipeline_events has {only_messages} rows stored only as Kafka messages; "
            "empty it and rebuild the projection with the older release"
        )
    op.execute(DOWNGRADE)
