from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediawatch_common.logs import configure_logging
from mediawatch_common.settings import load_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def configured(log_dir: Path) -> Iterator[Path]:
    settings = load_settings({"LOG_DIR": str(log_dir), "LOG_CONSOLE": "false"}).log
    yield configure_logging(settings, "transcoder")
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)
        handler.close()


def _lines(path: Path) -> list[dict[str, object]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_have_the_guides_shape(configured: Path) -> None:
    logging.getLogger("mediawatch_transcoder.merge").info(
        "Video merge completed successfully",
        extra={"session_id": "video_session_123", "stage": "merging", "video_count": 3},
    )
    (entry,) = _lines(configured / "application.log")
    assert set(entry) == {
        "timestamp",
        "level",
        "logger",
        "message",
        "module",
        "function",
        "line",
        "process_id",
        "thread_id",
        "extra",
    }
    assert entry["level"] == "INFO"
    assert entry["logger"] == "mediawatch_transcoder.merge"
    assert entry["extra"] == {
        "session_id": "video_session_123",
        "stage": "merging",
        "video_count": 3,
    }
    assert str(entry["timestamp"]).endswith("Z")


def test_each_file_keeps_its_own_records(configured: Path) -> None:
    logging.getLogger("mediawatch_transcoder.stages").debug("ffmpeg command built")
    logging.getLogger("mediawatch.performance").warning("slow stage")
    logging.getLogger("mediawatch_api").error("request failed")
    logging.getLogger("mediawatch_api").debug("not kept anywhere at INFO")

    def messages(name: str) -> list[object]:
        return [e["message"] for e in _lines(configured / name)]

    assert messages("media_processing.log") == ["ffmpeg command built"]
    assert messages("performance.log") == ["slow stage"]
    assert messages("errors.log") == ["request failed"]
    assert messages("application.log") == ["slow stage", "request failed"]


def test_secrets_are_masked(configured: Path) -> None:
    logging.getLogger("x").warning(
        "login", extra={"password": "hunter2", "headers": {"Authorization": "Bearer abc"}}
    )
    text = (configured / "application.log").read_text()
    assert "hunter2" not in text
    assert "Bearer abc" not in text
    assert '"password":"***"' in text


def test_application_log_rotates_at_the_configured_size(log_dir: Path) -> None:
    env = {"LOG_DIR": str(log_dir), "LOG_CONSOLE": "0", "LOG_ROTATION_SIZE": "2KB"}
    own = configure_logging(load_settings(env).log, "api")
    try:
        for n in range(100):
            logging.getLogger("x").info("line %d %s", n, "y" * 50)
    finally:
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
    assert own == log_dir / "api"
    assert (own / "application.log.1").exists()
    assert (own / "application.log").stat().st_size <= 2048
    assert not (own / "application.log.6").exists()


def test_debug_records_are_not_built_unless_a_file_keeps_them(configured: Path) -> None:
    """Library debug calls return early (root at the lowest kept level); the media loggers
    still reach media_processing.log at DEBUG."""
    assert not logging.getLogger("faust.topics").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("faust.topics").isEnabledFor(logging.INFO)
    media = logging.getLogger("mediawatch_transcoder.probe")
    assert media.isEnabledFor(logging.DEBUG)
    media.debug("probe output", extra={"session_id": "s1"})
    (entry,) = _lines(configured / "media_processing.log")
    assert entry["level"] == "DEBUG"


@pytest.mark.parametrize(
    ("command", "directory", "ships"),
    [(["transcode-demo", "--help"], "transcoder", True), (["replay", "--help"], "replay", False)],
)
def test_a_command_logs_in_its_own_directory_and_ships_when_it_runs_a_service(
    log_dir: Path, command: list[str], directory: str, ships: bool
) -> None:
    from click.testing import CliRunner

    from mediawatch_common.cli import main
    from mediawatch_common.logs import LogShipper, held_directory

    env = {"LOG_DIR": str(log_dir), "LOG_CONSOLE": "false", "LOG_SHIP_FLUSH_SECONDS": "0",
           "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}  # fmt: skip
    root = logging.getLogger()
    try:
        result = CliRunner().invoke(main, command, env=env)
        assert result.exit_code == 0, result.output
        assert held_directory() == log_dir / directory
        assert any(isinstance(h, LogShipper) for h in root.handlers) is ships
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
