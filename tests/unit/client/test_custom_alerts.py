"""create_custom_alert / resolve_custom_alert: what reaches the alerts topic, and mistakes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mediawatch_client import AlertLevel, MediaMonitor
from mediawatch_client.spool import Spool
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.events import CustomAlertReported, decode_event
from tests.unit.client.test_monitor_offline import offline

pytestmark = pytest.mark.unit


def reported(tmp_path: Path) -> list[tuple[str, bytes | None, CustomAlertReported]]:
    spool = Spool(tmp_path / "offline-test", 1 << 30)
    codec = AvroCodec(SchemaRegistry())
    out = []
    for message in spool.read(100).messages:
        event = decode_event(message.value, codec)
        assert isinstance(event, CustomAlertReported)
        out.append((message.topic, message.key, event))
    spool.close()
    return out


def test_a_custom_alert_and_its_resolution_go_to_the_alerts_topic(tmp_path: Path) -> None:
    monitor = offline(tmp_path)

    async def pipeline() -> None:
        await monitor.create_custom_alert(
            "upload_quota_low",
            level=AlertLevel.ERROR,
            labels={"bucket": "uploads-eu"},
            session_id="video_session_123",
            free_gb=12.5,
            threshold_gb=50,
        )
        await monitor.resolve_custom_alert("upload_quota_low", bucket="uploads-eu")

    asyncio.run(pipeline())
    monitor.close()
    (topic, key, raised), (_, _, cleared) = reported(tmp_path)
    assert (topic, key) == ("mediawatch.alerts", b"upload_quota_low")
    assert (raised.alert_type, raised.level.name, raised.resolved) == (
        "upload_quota_low",
        "ERROR",
        False,
    )
    assert raised.labels == {"bucket": "uploads-eu"}
    assert raised.context == {"free_gb": 12.5, "threshold_gb": 50}
    assert (raised.session_id, raised.message) == ("video_session_123", None)
    assert (cleared.resolved, cleared.labels, cleared.context) == (
        True,
        {"bucket": "uploads-eu"},
        {},
    )


def test_the_default_level_is_warning_and_a_message_is_kept(tmp_path: Path) -> None:
    monitor = offline(tmp_path)
    monitor.create_custom_alert_sync("gpu_missing", message="no GPU on worker-3")
    monitor.close()
    ((_, _, event),) = reported(tmp_path)
    assert (event.level.name, event.message, event.labels) == (
        "WARNING",
        "no GPU on worker-3",
        {},
    )


@pytest.fixture
def monitor(tmp_path: Path) -> MediaMonitor:
    return MediaMonitor(bootstrap_servers="127.0.0.1:1", spool_dir=tmp_path)


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda m: m.create_custom_alert_sync("has space"), ValueError, "must match"),
        (lambda m: m.create_custom_alert_sync(42), TypeError, "alert_type must be a str"),
        (lambda m: m.create_custom_alert_sync("x", level="loud"), ValueError, "unknown alert"),
        (lambda m: m.create_custom_alert_sync("x", labels={"k": 1}), TypeError, "must map a"),
        (lambda m: m.create_custom_alert_sync("x", rows=[1]), TypeError, "metadata\\['rows'\\]"),
        (lambda m: m.resolve_custom_alert_sync("x", host=""), ValueError, "1 to 256"),
    ],
)
def test_mistakes_raise_at_the_call(
    monitor: MediaMonitor, call: object, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        call(monitor)  # type: ignore[operator]
    monitor.close(timeout=1)
