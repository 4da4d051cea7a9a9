"""``sessions/active``: the stuck SQL agrees with the predicate; order, pages, filters, totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.health.remote import check_pipeline
from mediawatch_api.queries import ActiveFilter, active_sessions
from mediawatch_api.web import Services
from mediawatch_common.events import Event, Stage, StageStarted
from mediawatch_common.stuck import is_stuck
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import WHO, session_events

pytestmark = pytest.mark.integration

PATH = "/api/v1/monitoring/sessions/active"


def _open(session: str, start: datetime, last: datetime, user: str = "u1") -> list[Event]:
    """An unfinished session that started at ``start`` and was last heard of at ``last``."""
    common: dict[str, Any] = {"producer": WHO, "session_id": session, "user_id": user}
    return [
        StageStarted(**common, stage=Stage.UPLOAD, event_time=start, video_count=2),
        StageStarted(**common, stage=Stage.ANALYSIS, event_time=last, video_count=2),
    ]


def test_stuck_sql_mirrors_the_predicate(
    services: Services, database_url: str, schema: str
) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    ages = {
        "busy-2h": timedelta(hours=2),
        "just-over": timedelta(minutes=30, milliseconds=1),
        "exactly": timedelta(minutes=30),
        "just-under": timedelta(minutes=29, seconds=59),
        "new": timedelta(minutes=1),
    }
    events: list[Event] = []
    for name, age in ages.items():
        events += _open(name, now - age, now - min(age, timedelta(seconds=5)))
    events += session_events("done-long-ago", now - timedelta(hours=3))
    events += session_events("failed-long-ago", now - timedelta(hours=3), fail_at=Stage.MERGING)
    project(database_url, schema, events)

    assert services.settings.monitoring.stuck_session_minutes == 30
    expected = {n for n, age in ages.items() if is_stuck(now - age, False, now, 30)}
    with services.reads.connect() as conn:
        every = active_sessions(conn, now, 30, ActiveFilter(limit=100))
        stuck = active_sessions(conn, now, 30, ActiveFilter(limit=100, stuck=True))
        fine = active_sessions(conn, now, 30, ActiveFilter(limit=100, stuck=False))

    assert expected == {"busy-2h", "just-over"}
    assert {s["session_id"] for s in stuck["active_sessions"]} == expected
    assert {s["session_id"] for s in fine["active_sessions"]} == set(ages) - expected
    assert {s["session_id"] for s in every["active_sessions"] if s["stuck"]} == expected
    assert (every["total"], every["stuck_total"]) == (5, 2)
    busy = every["active_sessions"][0]
    assert (busy["session_id"], busy["stuck"], busy["idle"]) == ("busy-2h", True, False)
    pipeline = check_pipeline(services.engine, services.settings.monitoring, now)
    assert (pipeline.details["stuck_sessions"], pipeline.details["active_sessions"]) == (2, 5)
    assert "2 stuck sessions" in pipeline.message


@pytest.fixture
def many(database_url: str, schema: str) -> datetime:
    """40 unfinished sessions started 0.5..39.5 minutes ago (10 stuck), by two users."""
    now = datetime.now(UTC)
    events: list[Event] = []
    for i in range(1, 41):
        start = now - timedelta(minutes=i) + timedelta(seconds=30)
        events += _open(f"s-{i:02d}", start, start, user="u-even" if i % 2 == 0 else "u-odd")
    events += session_events("finished", now - timedelta(hours=1))
    project(database_url, schema, events)
    return now


def test_pages_stuck_first_with_totals(
    client: TestClient[Litestar], services: Services, many: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    first = client.get(PATH, params={"limit": 15}, headers=headers).json()
    second = client.get(PATH, params={"limit": 15, "offset": 15}, headers=headers).json()
    past = client.get(PATH, params={"offset": 40}, headers=headers).json()

    ids = [s["session_id"] for s in first["active_sessions"] + second["active_sessions"]]
    assert ids == [f"s-{i:02d}" for i in range(40, 10, -1)]  # oldest first
    assert [s["stuck"] for s in first["active_sessions"]] == [True] * 10 + [False] * 5
    totals = (first["total"], first["stuck_total"], first["limit"], first["offset"])
    assert totals == (40, 10, 15, 0)
    assert (past["active_sessions"], past["total"], past["stuck_total"]) == ([], 40, 10)
    assert set(first["active_sessions"][0]) >= {
        "session_id",
        "user_id",
        "current_stage",
        "started_at",
        "elapsed_seconds",
        "peak_memory_mb",
        "stuck",
        "idle",
    }


def test_filters_narrow_the_list_and_the_totals(
    client: TestClient[Litestar], services: Services, many: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    stuck = client.get(PATH, params={"stuck": "true"}, headers=headers).json()
    fine_even = client.get(
        PATH, params={"stuck": "false", "user_id": "u-even"}, headers=headers
    ).json()
    analysis = client.get(PATH, params={"stage": "analysis", "limit": 1}, headers=headers).json()
    merging = client.get(PATH, params={"stage": "merging"}, headers=headers).json()

    assert [s["session_id"] for s in stuck["active_sessions"]][:2] == ["s-40", "s-39"]
    assert (stuck["total"], stuck["stuck_total"]) == (10, 10)
    assert {s["user_id"] for s in fine_even["active_sessions"]} == {"u-even"}
    assert (fine_even["total"], fine_even["stuck_total"]) == (15, 0)
    assert (len(analysis["active_sessions"]), analysis["total"]) == (1, 40)
    assert (merging["active_sessions"], merging["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("offset=-1", "offset"),
        ("stuck=maybe", "stuck"),
        ("stage=nowhere", "stage"),
        ("user_id=" + "x" * 201, "user_id"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(
    client: TestClient[Litestar], services: Services, query: str, name: str
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    response = client.get(f"{PATH}?{query}", headers=headers)
    assert response.status_code == 400
    assert name in response.text
