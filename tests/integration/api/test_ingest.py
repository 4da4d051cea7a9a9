"""POST /api/v1/events: a producer token appends checked events; mistakes get 422, no append."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.events import CustomAlertReported, StageCompleted, StageStarted, decode_event
from mediawatch_common.kafka import Topics
from tests.integration.api.helpers import login
from tests.integration.helpers import read_raw

pytestmark = pytest.mark.integration

URL = "/api/v1/events"
START = {"type": "StageStarted", "session_id": "go_session_1", "user_id": "user_9",
         "stage": "MERGING", "video_count": 3, "metadata": {"runtime": "go1.23"}}  # fmt: skip
DONE = {"type": "StageCompleted", "session_id": "go_session_1", "user_id": "user_9",
        "stage": "MERGING", "started_at": "2026-12-01T10:00:00Z", "success": False,
        "duration_seconds": 4.5, "error_code": "FFMPEG_FAILED",
        "error_message": "exit 1"}  # fmt: skip
ALERT = {"type": "CustomAlertReported", "alert_type": "quota_low", "level": "WARNING",
         "labels": {"bucket": "eu"}}  # fmt: skip


def post(client: TestClient[Litestar], headers: dict[str, str], events: Any) -> Any:
    return client.post(URL, json={"events": events}, headers=headers)


def test_a_producer_appends_a_batch_in_order_and_a_resend_is_harmless(
    client: TestClient[Litestar], services: Services, topics: Topics, bootstrap: str
) -> None:
    headers = login(client, services, "go-pipeline", "producer")
    answer = post(client, headers, [START, DONE, ALERT])
    assert answer.status_code == 202, answer.text
    accepted = answer.json()["accepted"]
    assert len(accepted) == 3
    assert answer.json()["duplicates"] == []

    pipeline = read_raw(bootstrap, topics.pipeline.name, 2, timeout=10)
    events = [decode_event(m.value() or b"") for m in pipeline]
    assert [type(e) for e in events] == [StageStarted, StageCompleted]
    assert [m.key() for m in pipeline] == [b"go_session_1", b"go_session_1"]
    start, done = events
    assert isinstance(start, StageStarted)
    assert isinstance(done, StageCompleted)
    assert [str(start.event_id), str(done.event_id)] == accepted[:2]
    assert (start.producer.service, start.metadata) == ("go-pipeline", {"runtime": "go1.23"})
    assert done.error_code is not None
    assert done.error_code.name == "FFMPEG_FAILED"
    alerts = read_raw(bootstrap, topics.alerts.name, 1)
    (alert,) = [decode_event(m.value() or b"") for m in alerts]
    assert isinstance(alert, CustomAlertReported)
    assert alert.labels == {"bucket": "eu"}

    again = [{**START, "event_id": accepted[0]}, {**DONE, "event_id": accepted[1]}]
    resent = post(client, headers, again)
    assert resent.status_code == 202
    assert resent.json() == {"accepted": accepted[:2], "duplicates": accepted[:2]}
    assert len(read_raw(bootstrap, topics.pipeline.name, 3, timeout=3)) == 2


def test_a_wrong_event_is_refused_with_its_index_and_field_and_nothing_appended(
    client: TestClient[Litestar], services: Services, topics: Topics, bootstrap: str
) -> None:
    headers = login(client, services, "go-pipeline", "producer")
    answer = post(client, headers, [START, {**DONE, "duration_seconds": "slow"}])
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("events[1].duration_seconds: expected double")
    assert (body["extra"]["index"], body["extra"]["field"]) == (1, "duration_seconds")
    assert read_raw(bootstrap, topics.pipeline.name, 1, timeout=3) == []


def test_limits_and_roles(client: TestClient[Litestar], services: Services) -> None:
    producer = login(client, services, "go-pipeline", "producer")
    viewer = login(client, services, "watcher", "viewer")
    assert post(client, {}, [START]).status_code == 401
    assert post(client, viewer, [START]).status_code == 403
    assert post(client, producer, [START] * 501).status_code == 413
    big = {**START, "metadata": {f"k{n}": "x" * 1000 for n in range(60)}}
    assert client.post(URL, content=json.dumps({"events": [big] * 20}), headers={
        **producer, "content-type": "application/json"}).status_code == 413  # fmt: skip
    read = client.get("/api/v1/monitoring/stats", headers=producer)
    assert read.status_code == 403
    assert read.json()["detail"] == "a producer token may only send events"
    assert client.get("/api/v1/monitoring/stats", headers=viewer).status_code == 200
