"""Every query of the Grafana dashboard returns data after a small run of the real services:
its PromQL against the stack's Prometheus, its SQL against the run's projections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_transcoder.demo import generate_clips
from tests.grafana_dashboard import queries
from tests.integration.helpers import wait_for
from tests.integration.prometheus.small_run import SERVICES, SmallRun, small_run

pytestmark = pytest.mark.integration

PROMETHEUS = "http://127.0.0.1:9090"
RANGE = timedelta(hours=1)


def promql(expr: str) -> list[dict[str, Any]]:
    """The series ``expr`` returns now."""
    body = httpx.post(f"{PROMETHEUS}/api/v1/query", data={"query": expr}, timeout=30).json()
    assert body["status"] == "success", (expr, body)
    return list(body["data"]["result"])


def grafana_sql(sql: str, now: datetime) -> str:
    """``sql`` with the Grafana macros it uses expanded for the last hour."""
    low, high = (now - RANGE).isoformat(), now.isoformat()
    sql = re.sub(r"\$__timeFilter\((\w+)\)", rf"\1 BETWEEN '{low}' AND '{high}'", sql)
    assert "$__" not in sql, f"a Grafana macro the test does not expand: {sql}"
    return sql


@pytest.fixture(scope="module")
def run(
    local_stack: None,
    bootstrap: str,
    admin: AdminClient,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SmallRun]:
    """A good and a broken session through the real services, and one dead letter."""
    tmp = tmp_path_factory.mktemp("grafana")
    clips = generate_clips(tmp)
    with small_run(bootstrap, admin, database_url, tmp) as started:
        # The stage counters start at zero; a rate needs a scrape before the stages complete.
        transcoder = f'up{{run="{started.tag}",job="mediawatch-transcoder"}} == 1'
        assert wait_for(partial(promql, transcoder), timeout=90), "transcoder never scraped"
        started.submit(clips["landscape"], clips["portrait"], clips["silent"], user="user_456")
        started.submit(clips["landscape"], clips["broken"], user="user_789")
        started.poison(bootstrap)
        yield started


def test_prometheus_scrapes_every_service_of_the_run(run: SmallRun) -> None:
    def up() -> dict[str, str]:
        return {s["metric"]["job"]: s["value"][1] for s in promql(f'up{{run="{run.tag}"}}')}

    assert wait_for(lambda: len(up()) == len(SERVICES) and set(up().values()) == {"1"}, 90), up()
    assert set(up()) == {f"mediawatch-{name}" for name in SERVICES}


def test_the_stage_histogram_has_every_stage_of_the_run(run: SmallRun) -> None:
    expr = f'sum by (stage) (mediawatch_stage_duration_seconds_count{{run="{run.tag}"}}) > 0'

    def stages() -> set[str]:
        return {s["metric"]["stage"] for s in promql(expr)}

    assert wait_for(lambda: len(stages()) == 7, timeout=180), stages()


def test_every_promql_query_of_the_dashboard_returns_series(run: SmallRun) -> None:
    found = queries("prometheus")
    assert len(found) >= 5
    empty = []
    for title, expr in found:
        query = expr.replace("$__range", "1h")
        if not wait_for(partial(promql, query), timeout=120):
            empty.append((title, query))
    assert not empty, f"queries without series: {empty}"


def test_every_sql_query_of_the_dashboard_returns_rows(run: SmallRun, database_url: str) -> None:
    found = queries("postgres")
    assert len(found) >= 4
    empty = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{run.schema}"')

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return conn.execute(grafana_sql(sql, datetime.now(UTC))).fetchall()

        for title, sql in found:
            if not wait_for(partial(rows, sql), timeout=120):
                empty.append((title, sql))
    assert not empty, f"queries without rows: {empty}"
