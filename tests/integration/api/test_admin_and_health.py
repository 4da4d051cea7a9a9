"""Admin endpoints append events the projector writes back; health degrades."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka import Producer as KafkaProducer
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from mediawatch_api.settings import ApiSettings
from mediawatch_api.web import Services, build_services, create_app
from mediawatch_common.events import AlertLevel
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import RetentionSettings, Settings, load_group
from mediawatch_common.storage import StorageSettings
from tests.integration.api.conftest import SECRET
from tests.integration.api.helpers import login, project
from tests.integration.api.samples import alert, delivery, log, sample, silence
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

ALERTS = "/api/v1/monitoring/alerts"


def test_test_alert_and_clearing_go_through_the_event_log(
    client: TestClient[Litestar], services: Services, projector: object
) -> None:
    admin = login(client, services, "admin1", "admin")
    created = client.post("/api/v1/monitoring/test/alert?level=warning", headers=admin)
    assert created.status_code == 201
    alert_id = created.json()["alert_id"]

    def listed() -> list[dict[str, object]]:
        return client.get(ALERTS, headers=admin).json()["alerts"]

    assert wait_for(lambda: [a["id"] for a in listed()] == [alert_id], timeout=30)
    assert listed()[0]["level"] == "warning"
    assert listed()[0]["status"] == "firing"

    cleared = client.delete(ALERTS, headers=admin)
    assert cleared.json() == {"message": "Alerts cleared", "cleared": 1, "visible": True}
    assert listed() == []  # the answer waited for the projector
    (gone,) = client.get(ALERTS, params={"status": "resolved"}, headers=admin).json()["alerts"]
    assert (gone["id"], gone["resolve_reason"], gone["resolved_by"]) == (
        alert_id,
        "cleared",
        "admin1",
    )
    again = client.delete(ALERTS, headers=admin)
    assert again.json() == {"message": "Alerts cleared", "cleared": 0, "visible": True}
    with services.engine.connect() as conn:
        actions = conn.execute(text("SELECT actor, action FROM audit_log ORDER BY id")).fetchall()
    assert [tuple(a) for a in actions] == [
        ("admin1", "test_alert"),
        ("admin1", "clear_alerts"),
        ("admin1", "clear_alerts"),
    ]


def test_detailed_health_shape_and_cache(client: TestClient[Litestar], services: Services) -> None:
    viewer = login(client, services, "viewer1", "viewer")
    first = client.get("/api/v1/monitoring/health/detailed", headers=viewer).json()
    second = client.get("/api/v1/monitoring/health/detailed", headers=viewer).json()

    components = [c["component"] for c in first["checks"]]
    assert components == [
        "system_resources",
        "ffmpeg",
        "storage",
        "temp_directory",
        "processing_pipeline",
        "log_files",
        "kafka",
        "postgresql",
    ]
    by_name = {c["component"]: c for c in first["checks"]}
    assert by_name["ffmpeg"]["status"] == "healthy"
    assert by_name["storage"]["status"] == "healthy"
    assert by_name["postgresql"]["status"] == "healthy"
    assert by_name["kafka"]["status"] == "healthy"
    assert set(first) >= {"overall_status", "timestamp", "total_check_time_ms", "checks", "summary"}
    assert first["summary"]["total_checks"] == 8
    assert sum(first["summary"][s] for s in ("healthy", "warning", "critical")) == 8
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["timestamp"] == first["timestamp"]
    assert services.health.runs == 1


def test_kafka_health_reports_the_lag_of_every_group_on_our_topics(
    client: TestClient[Litestar], services: Services, bootstrap: str, topics: Topics
) -> None:
    producer = KafkaProducer({"bootstrap.servers": bootstrap})
    for n in range(5):
        producer.produce(topics.pipeline.name, value=b"x%d" % n)
    assert producer.flush(15) == 0
    group = f"lagging-{uuid.uuid4().hex[:8]}"
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    consumer.commit(offsets=[TopicPartition(topics.pipeline.name, 0, 2)], asynchronous=False)
    consumer.close()

    viewer = login(client, services, "viewer2", "viewer")
    health = client.get("/api/v1/monitoring/health/detailed", headers=viewer).json()
    kafka = next(c for c in health["checks"] if c["component"] == "kafka")
    assert kafka["details"]["consumer_lag"][group] == 3


def test_health_degrades_without_ffmpeg_and_with_unwritable_storage(
    service_settings: Settings,
    api_settings: ApiSettings,
    database_url: str,
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage directory should be")
    health = service_settings.health.model_copy(update={"ffmpeg_binary": "ffmpeg-not-installed"})
    settings = dataclasses.replace(service_settings, health=health)
    storage = load_group(StorageSettings, {"TRANSCODER_STORAGE_DIR": str(blocker / "store")})
    broken = build_services(settings, api_settings, database_url, "unused-group", storage)
    try:
        with TestClient(app=create_app(broken, SECRET)) as client:
            viewer = login(client, broken, "viewer1", "viewer")
            body = client.get("/api/v1/monitoring/health/detailed", headers=viewer).json()
    finally:
        broken.health.close()
        broken.engine.dispose()

    by_name = {c["component"]: c for c in body["checks"]}
    assert body["overall_status"] == "critical"
    assert by_name["ffmpeg"]["status"] == "critical"
    assert by_name["ffmpeg"]["details"] == {"available": False}
    assert by_name["storage"]["status"] == "critical"
    assert by_name["storage"]["details"]["writable"] is False
    assert body["summary"]["critical"] >= 2
    assert "Traceback" not in str(body)


def test_cleanup_applies_the_retention(services: Services, database_url: str, schema: str) -> None:
    now = datetime.now(UTC)
    project(
        database_url,
        schema,
        [
            sample(now - timedelta(hours=30)),
            sample(now - timedelta(hours=1)),
            alert(now - timedelta(minutes=3), "a1", AlertLevel.INFO),
            alert(now - timedelta(minutes=2), "a2", AlertLevel.INFO),
            alert(now - timedelta(minutes=1), "a3", AlertLevel.INFO),
            delivery(now - timedelta(minutes=3) + timedelta(seconds=1), ("a1",), 1, ok=True),
            delivery(now - timedelta(seconds=50), ("a3",), 1, ok=True),
            silence("old", now - timedelta(hours=31), minutes=60),
            silence("recent", now - timedelta(hours=1), minutes=10),
            log(now - timedelta(hours=30), "INFO", "older than the metrics' 24 hours"),
            log(now - timedelta(hours=10), "INFO", "older than the logs' 6 hours"),
            log(now - timedelta(hours=1), "INFO", "kept"),
        ],
    )
    retention = RetentionSettings(
        alert_retention_count=2, metrics_retention_hours=24, log_retention_hours=6
    )
    kept = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, retention=retention)
    )
    with TestClient(app=create_app(kept, SECRET)) as client:
        admin = login(client, kept, "admin1", "admin")
        body = client.post("/api/v1/monitoring/cleanup", headers=admin).json()
        alerts = client.get(ALERTS, headers=admin).json()["alerts"]

    assert body["deleted"]["resource_samples"] == 1
    assert body["deleted"]["alerts"] == 1
    assert body["deleted"]["alert_deliveries"] == 1
    assert body["deleted"]["silences"] == 1
    assert body["deleted"]["log_records"] == 2
    assert body["retention"] == {
        "metrics_retention_hours": 24,
        "log_retention_hours": 6,
        "alert_retention_count": 2,
    }
    assert [a["id"] for a in alerts] == ["a3", "a2"]
