"""The monitoring guide's usage example, with only its import changed, reaches the API."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.kafka import ConsumerLoop, Topics
from tests.integration.api.helpers import login
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.integration

# The guide's example as written, inside a coroutine; only the import line differs.
USAGE = textwrap.dedent(
    """
    import asyncio

    from mediawatch_client import media_monitor, ProcessingStage

    async def main():
        # Start monitoring a processing stage
        await media_monitor.start_processing(
            session_id="video_session_123",
            user_id="user_456",
            stage=ProcessingStage.MERGING,
            metadata={"video_count": 3, "total_size_mb": 45.2}
        )

        # Complete the processing stage
        await media_monitor.complete_processing(
            session_id="video_session_123",
            stage=ProcessingStage.MERGING,
            success=True,
            file_size_bytes=15728640,  # Final merged video size
            video_count=3
        )

    asyncio.run(main())
    """
)


def test_the_usage_example_shows_in_stats_and_active_sessions(
    topics: Topics,
    projector: ConsumerLoop[object],
    client: TestClient[Litestar],
    services: Services,
    bootstrap: str,
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": topics.pipeline.name.rsplit(".", 1)[0],
        "MEDIAWATCH_SPOOL_DIR": str(tmp_path),
        "MEDIAWATCH_PRODUCER_NAME": "upload-service",
    }
    run = subprocess.run(
        [sys.executable, "-c", USAGE], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    headers = login(client, services, "oncall", "admin")

    def get(path: str) -> dict[str, Any]:
        response = client.get(f"/api/v1/monitoring/{path}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    assert wait_for(
        lambda: (
            get("stats?hours=1")["stage_breakdown"].get("merging", {}).get("total_operations") == 1
        ),
        timeout=30,
    ), get("stats?hours=1")
    stats = get("stats?hours=1")["stage_breakdown"]["merging"]
    assert (stats["successful_operations"], stats["failed_operations"]) == (1, 0)
    active = get("sessions/active")["active_sessions"]
    (session,) = [s for s in active if s["session_id"] == "video_session_123"]
    assert (session["user_id"], session["video_count"], session["stuck"]) == (
        "user_456",
        3,
        False,
    )
    assert not list(tmp_path.rglob("*.seg")), "events were left in the spool"
