"""Write the alerting rows of one batch: alerts, resolutions, acknowledgements, deliveries,
silences. Every change to an alert takes a new ``change_seq`` for the live feed."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_projector.alerting_rows import DELIVERY_COLUMNS, SILENCE_COLUMNS
from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.bulk import Connection, Row, copy_rows, upsert_rows

ALERT_COLUMNS = (
    "alert_id",
    "fingerprint",
    "rule",
    "level",
    "title",
    "message",
    "session_id",
    "user_id",
    "stage",
    "labels",
    "metadata",
    "starts_at",
    "raised_at",
)


def write_alerting(conn: Connection, rows: Rows) -> None:
    """Alerts first, then what refers to them, in the order Kafka gave them per key."""
    upsert_rows(
        conn,
        "alerts",
        ALERT_COLUMNS,
        list(rows.alerts_raised.values()),
        "(alert_id) DO UPDATE SET level = EXCLUDED.level, title = EXCLUDED.title, "
        "message = EXCLUDED.message, metadata = EXCLUDED.metadata, "
        "change_seq = nextval('alert_changes')",
    )
    # The first resolution wins: an operator's clearing and the alerter's own resolution of
    # the same alert can cross; later ones change nothing.
    _update(
        conn,
        "UPDATE alerts SET resolved_at = %s, resolve_reason = %s, resolved_by = %s, "
        "change_seq = nextval('alert_changes') WHERE alert_id = %s AND resolved_at IS NULL",
        [(end, reason, who, alert_id) for alert_id, end, reason, who in rows.alerts_resolved],
    )
    # The first acknowledgement wins; a second one (two admins at once) changes nothing.
    _update(
        conn,
        "UPDATE alerts SET acknowledged_at = %s, acknowledged_by = %s, "
        "acknowledge_comment = %s, change_seq = nextval('alert_changes') "
        "WHERE alert_id = %s AND acknowledged_at IS NULL",
        [(at, who, comment, alert_id) for alert_id, at, who, comment in rows.alerts_acknowledged],
    )
    copy_rows(conn, "alert_deliveries", DELIVERY_COLUMNS, rows.deliveries)
    upsert_rows(
        conn,
        "silences",
        SILENCE_COLUMNS,
        list(rows.silences_created.values()),
        "(silence_id) DO NOTHING",
    )
    _update(
        conn,
        "UPDATE silences SET expired_at = %s, expire_reason = %s "
        "WHERE silence_id = %s AND expired_at IS NULL",
        [(at, reason, silence_id) for silence_id, at, reason in rows.silences_expired],
    )


def _update(conn: Connection, sql: str, params: Sequence[Row]) -> None:
    if params:
        with conn.cursor() as cur:
            cur.executemany(sql, params)
