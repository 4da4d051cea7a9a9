"""``stats`` reads whole hours from ``stage_hours`` (kept by triggers on ``stage_minutes``) and
the leading minutes from ``stage_minutes``; it must equal a plain sum of the minutes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text

from mediawatch_api.queries import processing_stats
from mediawatch_store import sqlalchemy_url

pytestmark = pytest.mark.integration

STAGES = ("upload", "merging", "compression")
CODES = ("", "FFMPEG_FAILED", "TIMEOUT_ERROR")
UPSERT = text(
    "INSERT INTO stage_minutes VALUES (:m, :s, :c, :a, :ok, :f, :d) "
    "ON CONFLICT (minute, stage, error_code) DO UPDATE SET "
    "attempts = stage_minutes.attempts + EXCLUDED.attempts, "
    "successes = stage_minutes.successes + EXCLUDED.successes, "
    "failures = stage_minutes.failures + EXCLUDED.failures, "
    "duration_sum = stage_minutes.duration_sum + EXCLUDED.duration_sum"
)
PER_MINUTE = text(
    "SELECT stage, error_code, sum(attempts), sum(successes), sum(failures), sum(duration_sum) "
    "FROM stage_minutes WHERE minute >= :since GROUP BY stage, error_code"
)
HOURS_FROM_MINUTES = text(
    "SELECT date_trunc('hour', minute, 'UTC'), stage, error_code, sum(attempts), "
    "sum(successes), sum(failures), round(sum(duration_sum)::numeric, 6) FROM stage_minutes "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
HOURS = text(
    "SELECT hour, stage, error_code, attempts, successes, failures, "
    "round(duration_sum::numeric, 6) FROM stage_hours ORDER BY 1, 2, 3"
)


def _rows(now: datetime, count: int, seed: int) -> list[dict[str, Any]]:
    pick = random.Random(seed)
    rows = []
    for _ in range(count):
        minute = now.replace(second=0, microsecond=0) - timedelta(minutes=pick.randrange(0, 1800))
        code = pick.choice(CODES)
        attempts = pick.randint(1, 5)
        failed = attempts if code else 0
        stage, duration = pick.choice(STAGES), pick.uniform(0.5, 90.0)
        rows.append({"m": minute, "s": stage, "c": code, "a": attempts,
                     "ok": attempts - failed, "f": failed, "d": duration})  # fmt: skip
    return rows


def _reference(
    conn: Connection, hours: int, now: datetime
) -> dict[tuple[str, str], tuple[Any, ...]]:
    since = (now - timedelta(hours=hours)).replace(second=0, microsecond=0)
    return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(PER_MINUTE, {"since": since})}


def test_hourly_rollup_follows_inserts_upserts_and_deletes(database_url: str, schema: str) -> None:
    now = datetime(2026, 3, 1, 12, 37, 20, tzinfo=UTC)
    engine = create_engine(
        sqlalchemy_url(database_url), connect_args={"options": f"-csearch_path={schema}"}
    )
    with engine.begin() as conn:
        conn.execute(UPSERT, _rows(now, 400, 1))
        conn.execute(UPSERT, _rows(now, 400, 2))  # many land on existing minutes: updates
        conn.execute(text("DELETE FROM stage_minutes WHERE stage = 'merging' AND minute < :t"),
                     {"t": now - timedelta(hours=20)})  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(HOURS).fetchall() == conn.execute(HOURS_FROM_MINUTES).fetchall()
        for hours, at in ((1, now), (7, now), (24, now), (24, now.replace(minute=0, second=0))):
            got = processing_stats(conn, hours, at)
            want = _reference(conn, hours, at)
            assert got["total_operations"] == sum(v[0] for v in want.values())
            assert got["failed_operations"] == sum(v[2] for v in want.values())
            for stage, summary in got["stage_breakdown"].items():
                assert summary["total_operations"] == sum(
                    v[0] for k, v in want.items() if k[0] == stage
                )
            errors = {k[1]: 0 for k in want if k[1]}
            for (_, code), v in want.items():
                if code:
                    errors[code] += v[2]
            assert got["error_breakdown"] == errors
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE stage_minutes"))
        assert conn.execute(text("SELECT count(*) FROM stage_hours")).scalar_one() == 0
    engine.dispose()
