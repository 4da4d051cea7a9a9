"""Programming errors raise at the call, naming the argument; nothing is emitted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mediawatch_client import ClientConfig, MediaMonitor, ProcessingStage

pytestmark = pytest.mark.unit


@pytest.fixture
def monitor(tmp_path: Path) -> Iterator[MediaMonitor]:
    monitor = MediaMonitor(ClientConfig(bootstrap_servers="127.0.0.1:1", spool_dir=tmp_path))
    yield monitor
    monitor.close(timeout=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"stage": "BLENDING"}, ValueError, "unknown stage 'BLENDING'"),
        ({"session_id": 123}, TypeError, "session_id must be a str, not int"),
        ({"session_id": ""}, ValueError, "session_id must have 1 to 256 characters"),
        ({"user_id": None}, TypeError, "user_id must be a str, not NoneType"),
        ({"metadata": {"clips": [1, 2]}}, TypeError, "metadata['clips'] is a list"),
        ({"metadata": {1: "x"}}, TypeError, "metadata keys must be str"),
        ({"metadata": "video_count=3"}, TypeError, "metadata must be a mapping"),
        ({"metadata": {"video_count": -1}}, ValueError, "video_count'] must not be negative"),
    ],
)
def test_start_refuses_mistakes(
    monitor: MediaMonitor, kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    call: dict[str, object] = {"session_id": "s1", "user_id": "u1", "stage": "MERGING"}
    call.update(kwargs)
    with pytest.raises(error, match=text.replace("[", r"\[").replace("(", r"\(")):
        monitor.start_processing_sync(**call)  # type: ignore[arg-type]
    assert monitor.flush(5)
    assert monitor.counters["spooled"] == monitor.counters["sent"] == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"success": "yes"}, TypeError, "success must be a bool, not str"),
        ({"file_size_bytes": 1.5}, TypeError, "file_size_bytes must be an int or None"),
        ({"error_code": "DISK_ON_FIRE"}, ValueError, "unknown error code 'DISK_ON_FIRE'"),
        ({"duration_seconds": float("nan")}, ValueError, "duration_seconds must be a finite"),
        ({"error_message": 42}, TypeError, "error_message must be a str"),
    ],
)
def test_complete_refuses_mistakes(
    monitor: MediaMonitor, kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    call: dict[str, object] = {
        "session_id": "s1",
        "stage": ProcessingStage.MERGING,
        "success": True,
    }
    call.update(kwargs)
    with pytest.raises(error, match=text):
        monitor.complete_processing_sync(**call)  # type: ignore[arg-type]
    assert monitor.flush(5)
    assert monitor.counters["spooled"] == monitor.counters["sent"] == 0


def test_stage_names_are_accepted_in_any_case_and_as_members(monitor: MediaMonitor) -> None:
    scope = monitor.stage("s", "u", "storage_upload")
    assert scope.stage is ProcessingStage.STORAGE_UPLOAD
    assert monitor.stage("s", "u", ProcessingStage.CLEANUP).stage is ProcessingStage.CLEANUP


def test_a_decorated_function_must_name_its_session(monitor: MediaMonitor) -> None:
    def merge(path: str) -> None:
        return None

    with pytest.raises(TypeError, match="has no 'session_id' argument"):
        monitor.track(ProcessingStage.MERGING)(merge)


def test_settings_from_the_environment_name_the_bad_variable(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    config = ClientConfig.from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k1:9093",
            "KAFKA_TOPIC_PREFIX": "acme",
            "MEDIAWATCH_PRODUCER_NAME": "uploads",
            "MEDIAWATCH_SPOOL_DIR": str(tmp_path),
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_PASSWORD_FILE": str(secret),
        }
    )
    assert (config.bootstrap_servers, config.pipeline_topic, config.producer_name) == (
        "k1:9093",
        "acme.pipeline",
        "uploads",
    )
    assert config.kafka == {"security.protocol": "SASL_SSL", "sasl.password": "s3cret"}
    with pytest.raises(ValueError, match="MEDIAWATCH_SPOOL_MAX_BYTES='lots'"):
        ClientConfig.from_env({"MEDIAWATCH_SPOOL_MAX_BYTES": "lots"})
