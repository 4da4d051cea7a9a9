"""``stage_hours``: the hourly rollup of ``stage_minutes``, kept by triggers.

``stats?hours=N`` adds up every row of the window. Over a day of a busy pipeline that is tens of
thousands of per-minute rows (one per minute, stage and error code); the same day is a few
hundred hourly rows. ``stats`` reads whole hours here and only the minutes before the first
whole hour from ``stage_minutes``.

Statement triggers with transition tables keep the two tables equal inside the writer's own
transaction (so the projector's exactly-once batches stay exactly once): an insert adds its
rows' counts to their hours, an update (the projector's ``ON CONFLICT DO UPDATE``) adds the
difference, a delete takes its rows away (an hour left empty goes) and a truncate empties
both. Hours are UTC hours.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"

UPGRADE = """
CREATE TABLE stage_hours (
    hour timestamptz NOT NULL,
    stage text NOT NULL,
    error_code text NOT NULL,
    attempts bigint NOT NULL,
    successes bigint NOT NULL,
    failures bigint NOT NULL,
    duration_sum double precision NOT NULL,
    PRIMARY KEY (hour, stage, error_code)
);

CREATE FUNCTION stage_hours_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- k: +1 for the rows a statement added, -1 for those it removed.
    source text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT *, 1 AS k FROM added'
        WHEN 'DELETE' THEN 'SELECT *, -1 AS k FROM removed'
        ELSE 'SELECT *, 1 AS k FROM added UNION ALL SELECT *, -1 AS k FROM removed'
    END;
BEGIN
    -- Sorted keys keep concurrent writers from deadlocking on the same hours.
    EXECUTE format($sql$
        INSERT INTO %I.stage_hours AS h
            (hour, stage, error_code, attempts, successes, failures, duration_sum)
        SELECT date_trunc('hour', minute, 'UTC'), stage, error_code,
               sum(k * attempts), sum(k * successes), sum(k * failures), sum(k * duration_sum)
        FROM (%s) AS change
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (hour, stage, error_code) DO UPDATE SET
            attempts = h.attempts + EXCLUDED.attempts,
            successes = h.successes + EXCLUDED.successes,
            failures = h.failures + EXCLUDED.failures,
            duration_sum = h.duration_sum + EXCLUDED.duration_sum
    $sql$, TG_TABLE_SCHEMA, source);
    IF TG_OP = 'DELETE' THEN
        -- Hours whose every minute was deleted go too, as if never written.
        EXECUTE format($sql$
            DELETE FROM %I.stage_hours AS h
            USING (SELECT DISTINCT date_trunc('hour', minute, 'UTC') AS hour, stage, error_code
                   FROM removed) AS gone
            WHERE h.hour = gone.hour AND h.stage = gone.stage AND h.error_code = gone.error_code
              AND h.attempts = 0 AND h.successes = 0 AND h.failures = 0
        $sql$, TG_TABLE_SCHEMA);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION stage_hours_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('TRUNCATE %I.stage_hours', TG_TABLE_SCHEMA);
    RETURN NULL;
END $$;

CREATE TRIGGER stage_hours_insert AFTER INSERT ON stage_minutes
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION stage_hours_apply();
CREATE TRIGGER stage_hours_update AFTER UPDATE ON stage_minutes
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION stage_hours_apply();
CREATE TRIGGER stage_hours_delete AFTER DELETE ON stage_minutes
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION stage_hours_apply();
CREATE TRIGGER stage_hours_truncate AFTER TRUNCATE ON stage_minutes
    FOR EACH STATEMENT EXECUTE FUNCTION stage_hours_clear();

INSERT INTO stage_hours (hour, stage, error_code, attempts, successes, failures, duration_sum)
SELECT date_trunc('hour', minute, 'UTC'), stage, error_code,
       sum(attempts), sum(successes), sum(failures), sum(duration_sum)
FROM stage_minutes
GROUP BY 1, 2, 3;
"""

DOWNGRADE = """
DROP TRIGGER stage_hours_truncate ON stage_minutes;
DROP TRIGGER stage_hours_delete ON stage_minutes;
DROP TRIGGER stage_hours_update ON stage_minutes;
DROP TRIGGER stage_hours_insert ON stage_minutes;
DROP FUNCTION stage_hours_clear();
DROP FUNCTION stage_hours_apply();
DROP TABLE stage_hours;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
