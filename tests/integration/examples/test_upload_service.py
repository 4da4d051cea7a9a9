"""The example upload service, instrumented with mediawatch-client, seen by Mediawatch.

Real ffmpeg merges real clips; its stage events go through Kafka to the projector (the API's
stats and active sessions) and to the alerter, whose alert for a broken upload reaches a
webhook through the notifier.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_client import ClientConfig, MediaMonitor
from mediawatch_common.kafka import ConsumerLoop, Topics
from mediawatch_common.settings import Settings
from tests.integration.alerter.running import alerter, background
from tests.integration.api.helpers import login
from tests.integration.helpers import wait_for
from tests.integration.notifier.receiver import Receiver
from tests.integration.notifier.running import notifier
from upload_service import Pipeline, create_app

pytestmark = pytest.mark.integration


def clip(path: Path, seconds: str = "1") -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25",
         "-t", seconds, "-c:v", "libx264", "-preset", "ultrafast", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture
def monitor(topics: Topics, bootstrap: str, tmp_path: Path) -> Iterator[MediaMonitor]:
    prefix = topics.pipeline.name.rsplit(".", 1)[0]
    built = MediaMonitor(
        ClientConfig(bootstrap_servers=bootstrap, topic_prefix=prefix,
                     producer_name="upload-service", spool_dir=tmp_path / "spool")
    )  # fmt: skip
    yield built
    built.close()


def test_sessions_show_in_the_api_and_a_broken_upload_reaches_the_webhook(
    monitor: MediaMonitor,
    topics: Topics,
    service_settings: Settings,
    projector: ConsumerLoop[object],
    client: TestClient[Litestar],
    services: Services,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    app = create_app(Pipeline(monitor, tmp_path / "work", tmp_path / "storage"))
    good = [clip(tmp_path / f"c{n}.mp4", "2") for n in range(3)]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4)
    headers = login(client, services, "oncall", "admin")

    def api(path: str) -> dict[str, Any]:
        response = client.get(f"/api/v1/monitoring/{path}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def active_ids() -> set[str]:
        return {s["session_id"] for s in api("sessions/active?limit=100")["active_sessions"]}

    hook = receiver.url("/hook")
    with (
        background(alerter(service_settings)),
        background(notifier(service_settings, {"team": ("webhook", hook)})),
        TestClient(app=app) as uploads,
    ):
        files = [("files", (p.name, p.read_bytes(), "video/mp4")) for p in good]
        answer = uploads.post("/uploads", data={"user_id": "user_456"}, files=files)
        assert answer.status_code == 202, answer.text
        ok_session = answer.json()["session_id"]
        seen_active = wait_for(lambda: ok_session in active_ids(), timeout=30)
        assert wait_for(
            lambda: uploads.get(f"/uploads/{ok_session}").json()["status"] != "processing",
            timeout=120,
        )
        assert uploads.get(f"/uploads/{ok_session}").json()["status"] == "completed"

        files = [("files", ("broken.mp4", broken.read_bytes(), "video/mp4"))]
        answer = uploads.post("/uploads", data={"user_id": "user_789"}, files=files)
        bad_session = answer.json()["session_id"]
        assert wait_for(lambda: receiver.at("/hook", 200), timeout=60), "no alert delivered"
        outcome = uploads.get(f"/uploads/{bad_session}").json()
    assert (outcome["status"], outcome["stage"], outcome["error_code"]) == (
        "failed",
        "upload",
        "VALIDATION_FAILED",
    )
    assert seen_active, "the session never showed in /sessions/active while it ran"
    delivered = [r.json() for r in receiver.at("/hook", 200)]
    assert any(bad_session in str(body) for body in delivered), delivered
    assert wait_for(
        lambda: (
            api("stats?hours=1")["stage_breakdown"].get("cleanup", {}).get("total_operations") == 2
        ),
        timeout=30,
    ), api("stats?hours=1")
    stats = api("stats?hours=1")
    assert stats["stage_breakdown"]["merging"]["successful_operations"] == 1
    assert stats["stage_breakdown"]["upload"]["failed_operations"] == 1
    assert stats["error_breakdown"] == {"VALIDATION_FAILED": 1}
    assert ok_session not in active_ids()
