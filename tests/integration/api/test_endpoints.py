"""Every read endpoint returns its documented shape with the values of known data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg.types.json import Jsonb

from mediawatch_api.web import Services
from mediawatch_common.events import AlertLevel, Stage
from mediawatch_store import connect
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import alert, log, sample, session_events

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(database_url: str, schema: str) -> datetime:
    now = datetime.now(UTC)
    start = now - timedelta(minutes=30)
    events = [
        *session_events("s-1", start),
        *session_events("s-2", start, fail_at=Stage.MERGING),
        *session_events("s-3", now - timedelta(minutes=2))[:3],  # in ANALYSIS, started
        sample(now - timedelta(minutes=5), "worker-1", 15.0),
        sample(now - timedelta(minutes=4), "worker-2", 85.0),
        sample(now - timedelta(hours=30), "worker-1", 10.0),
        log(now - timedelta(minutes=3), "INFO", "merge done"),
        log(now - timedelta(minutes=2), "ERROR", "ffmpeg failed"),
        alert(now - timedelta(minutes=10), "alert_1_1", AlertLevel.ERROR),
        alert(now - timedelta(minutes=9), "alert_1_2", AlertLevel.CRITICAL),
    ]
    project(database_url, schema, events)
    return now


def test_stats_counts_rates_and_breakdowns(
    client: TestClient[Litestar], services: Services, seeded: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    body = client.get("/api/v1/monitoring/stats?hours=24", headers=headers).json()

    # s-1: 7 successes; s-2: 3 successes + merging failed; s-3: upload done.
    assert body["total_operations"] == 12
    assert body["successful_operations"] == 11
    assert body["failed_operations"] == 1
    assert body["error_rate"] == round(1 / 12, 4)
    assert body["success_rate"] == round(11 / 12, 4)
    assert body["average_duration_seconds"] == 10.0
    assert body["error_breakdown"] == {"FFMPEG_FAILED": 1}
    assert list(body["stage_breakdown"])[:4] == ["upload", "analysis", "preparation", "merging"]
    merging = body["stage_breakdown"]["merging"]
    assert (merging["total_operations"], merging["failed_operations"]) == (2, 1)
    assert body["stage_breakdown"]["upload"]["total_operations"] == 3


def test_alerts_filter_and_shape(
    client: TestClient[Litestar], services: Services, seeded: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    every = client.get("/api/v1/monitoring/alerts?limit=50", headers=headers).json()
    critical = client.get("/api/v1/monitoring/alerts?level=critical", headers=headers).json()

    assert [a["id"] for a in every["alerts"]] == ["alert_1_2", "alert_1_1"]
    assert [a["id"] for a in critical["alerts"]] == ["alert_1_2"]
    first = critical["alerts"][0]
    assert first["level"] == "critical"
    assert first["title"] == "Processing Failed: merging"
    assert first["session_id"] == "s-2"
    assert first["stage"] == "merging"
    assert first["metadata"] == {"error_code": "FFMPEG_FAILED"}
    assert first["status"] == "firing"


def test_system_metrics_series(
    client: TestClient[Litestar], services: Services, seeded: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    body = client.get("/api/v1/monitoring/metrics/system?hours=24", headers=headers).json()

    assert body["hosts"] == ["worker-1", "worker-2"]
    assert [p["cpu_usage_percent"] for p in body["metrics"]] == [15.0, 85.0]
    assert set(body["metrics"][0]) >= {
        "timestamp",
        "cpu_usage_percent",
        "memory_usage_percent",
        "disk_usage_percent",
        "active_sessions",
        "temp_dir_size_bytes",
    }


def test_active_sessions_and_timeline(
    client: TestClient[Litestar], services: Services, seeded: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    active = client.get("/api/v1/monitoring/sessions/active", headers=headers).json()
    timeline = client.get("/api/v1/monitoring/sessions/s-2/timeline", headers=headers).json()
    missing = client.get("/api/v1/monitoring/sessions/nope/timeline", headers=headers)

    assert [s["session_id"] for s in active["active_sessions"]] == ["s-3"]
    assert active["active_sessions"][0]["current_stage"] == "analysis"
    assert active["active_sessions"][0]["stuck"] is False
    assert [e["event_type"] for e in timeline["events"]][-2:] == ["StageStarted", "StageCompleted"]
    assert timeline["events"][-1]["event"]["error_code"] == "FFMPEG_FAILED"
    assert timeline["total"] == 8
    assert missing.status_code == 404
    nul = client.get("/api/v1/monitoring/sessions/s%002/timeline", headers=headers)
    assert nul.status_code == 400  # PostgreSQL text cannot hold NUL: the input, not a 500
    assert nul.json()["extra"][0]["key"] == "session_id"


def test_recent_logs_of_every_service_filtered_by_level(
    client: TestClient[Litestar], services: Services, seeded: datetime
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    every = client.get("/api/v1/monitoring/logs/recent?lines=100", headers=headers).json()
    errors = client.get("/api/v1/monitoring/logs/recent?lines=50&level=ERROR", headers=headers)

    assert [r["message"] for r in every["logs"]] == ["merge done", "ffmpeg failed"]
    assert every["logs"][0]["service"] == "transcoder"
    assert [r["message"] for r in errors.json()["logs"]] == ["ffmpeg failed"]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/monitoring/stats?hours=-1", "hours"),
        ("/api/v1/monitoring/stats?hours=abc", "hours"),
        ("/api/v1/monitoring/alerts?level=bogus", "level"),
        ("/api/v1/monitoring/alerts?limit=1000000000", "limit"),
        ("/api/v1/monitoring/logs/recent?lines=0", "lines"),
        ("/api/v1/monitoring/metrics/system?hours=100000", "hours"),
    ],
)
def test_bad_parameters_get_a_clear_400(
    client: TestClient[Litestar], services: Services, path: str, key: str
) -> None:
    headers = login(client, services, "viewer1", "viewer")
    response = client.get(path, headers=headers)

    assert response.status_code == 400
    assert key in response.text
    assert "Traceback" not in response.text


def test_public_health_and_openapi(client: TestClient[Litestar]) -> None:
    health = client.get("/api/v1/monitoring/health")
    schema = client.get("/schema/openapi.json").json()

    assert health.status_code == 200
    assert health.json()["status"] == "healthy"
    assert "/api/v1/monitoring/stats" in schema["paths"]
    params = schema["paths"]["/api/v1/monitoring/alerts"]["get"]["parameters"]
    assert {p["name"] for p in params} >= {"level", "limit"}
    assert all(p.get("description") for p in params if p["name"] in ("level", "limit"))
    for path in (
        "/api/v1/monitoring/silences",
        "/api/v1/monitoring/silences/{silence_id}",
        "/api/v1/monitoring/alerts/{alert_id}/acknowledge",
        "/api/v1/monitoring/alerts/{alert_id}/deliveries",
        "/api/v1/monitoring/alerts/stream",
        "/api/v1/monitoring/windows/series",
    ):
        assert path in schema["paths"], path
    silence_params = schema["paths"]["/api/v1/monitoring/silences"]["get"]["parameters"]
    assert {p["name"] for p in silence_params} == {"state", "limit"}
    assert "/" not in schema["paths"]  # pages are not API


def test_the_timeline_decodes_kept_messages_and_shows_older_json_rows(
    client: TestClient[Litestar],
    services: Services,
    seeded: datetime,
    database_url: str,
    schema: str,
) -> None:
    legacy = {"session_id": "s-old", "stage": "UPLOAD", "note": "projected before 0005"}
    with connect(database_url, schema) as conn:
        conn.execute(
            "INSERT INTO pipeline_events (event_id, event_type, event_time, session_id, stage, "
            "topic, partition, \"offset\", payload) VALUES (gen_random_uuid(), 'StageStarted', "
            "now(), 's-old', 'upload', 't', 0, 0, %s)",
            (Jsonb(legacy),),
        )
        conn.commit()
    headers = login(client, services, "viewer1", "viewer")

    kept = client.get("/api/v1/monitoring/sessions/s-2/timeline", headers=headers).json()
    older = client.get("/api/v1/monitoring/sessions/s-old/timeline", headers=headers).json()

    first = kept["events"][0]
    assert first["event"]["event_time"] == first["event_time"]
    assert first["event"]["session_id"] == "s-2"
    assert str(UUID(first["event"]["event_id"])) == first["event"]["event_id"]
    assert first["event"]["producer"]["service"]
    assert older["events"][0]["event"] == legacy
