"""Query parameters taking one word of a fixed set (levels, stages, statuses, states) take it in
any case and answer as for its canonical spelling; an unknown word gets a 400 naming the
parameter and the words it takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import AlertLevel, Stage
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import alert, session_events, silence, window

pytestmark = pytest.mark.integration

MONITORING = "/api/v1/monitoring"
LISTS = [
    ("alerts", "id"),
    ("active_sessions", "session_id"),
    ("windows", "stage"),
    ("silences", "id"),
]
CASES = [
    # (path, canonical query, the same in other cases)
    ("alerts", "level=error&status=firing", ["level=ERROR&status=Firing", "level=Error"]),
    ("sessions/active", "stage=analysis", ["stage=ANALYSIS", "stage=Analysis"]),
    ("windows", "stage=merging", ["stage=MERGING", "stage=mErGiNg"]),
    ("silences", "state=active", ["state=ACTIVE", "state=Active"]),
]


@pytest.fixture
def projected(database_url: str, schema: str) -> None:
    now = datetime.now(UTC)
    project(
        database_url,
        schema,
        [
            alert(now - timedelta(minutes=10), "alert_1_1", AlertLevel.ERROR),
            alert(now - timedelta(minutes=9), "alert_1_2", AlertLevel.WARNING),
            *session_events("s-2", now - timedelta(minutes=2))[:3],
            *session_events("s-3", now - timedelta(minutes=1))[:1],
            window(now - timedelta(minutes=30), Stage.MERGING, 4, 1, 3.0),
            window(now - timedelta(minutes=30), Stage.UPLOAD, 4, 0, 1.0),
            silence("sil-1", now - timedelta(minutes=1), 60),
            silence("sil-2", now + timedelta(minutes=30), 60),
        ],
    )


def _listed(answer: dict[str, Any]) -> list[str]:
    """The ids (or stages) of what an answer lists: times in it move between two reads."""
    for key, id_key in LISTS:
        if key in answer:
            return [item[id_key] for item in answer[key]]
    raise AssertionError(f"no list in {sorted(answer)}")


def test_any_case_answers_as_the_canonical_word(
    client: TestClient[Litestar], services: Services, projected: None
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    for path, canonical, spellings in CASES:
        expected = client.get(f"{MONITORING}/{path}?{canonical}", headers=headers)
        assert expected.status_code == 200, expected.text
        assert len(_listed(expected.json())) == 1, path  # the filter keeps one of two

        for query in spellings:
            answer = client.get(f"{MONITORING}/{path}?{query}", headers=headers)
            assert answer.status_code == 200, (path, query, answer.text)
            assert _listed(answer.json()) == _listed(expected.json()), (path, query)


def test_filters_echo_the_canonical_word(
    client: TestClient[Litestar], services: Services, projected: None
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    answer = client.get(f"{MONITORING}/alerts?level=CRITICAL&status=ALL", headers=headers)

    assert answer.json()["filters"] == {"level": "critical", "status": "all", "limit": 50}


UNKNOWN = [
    ("alerts?level=loud", "level", "info, warning, error, critical"),
    ("alerts?status=burning", "status", "firing, resolved, acknowledged, all"),
    ("sessions/active?stage=blending", "stage", "upload, analysis, preparation, merging"),
    ("windows?stage=", "stage", "compression, storage_upload, cleanup"),
    ("silences?state=asleep", "state", "active, pending, expired"),
]


def test_an_unknown_word_names_the_parameter_and_the_words(
    client: TestClient[Litestar], services: Services
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    for path, key, words in UNKNOWN:
        answer = client.get(f"{MONITORING}/{path}", headers=headers)

        assert answer.status_code == 400, (path, answer.text)
        (problem,) = answer.json()["extra"]
        assert (problem["key"], problem["source"]) == (key, "query"), path
        assert words in problem["message"], path


def test_a_test_alert_takes_its_level_in_any_case(
    client: TestClient[Litestar], services: Services
) -> None:
    headers = login(client, services, "admin1", "admin")
    answer = client.post(f"{MONITORING}/test/alert?level=Warning", headers=headers)

    assert answer.status_code == 201, answer.text
    assert answer.json()["level"] == "warning"
