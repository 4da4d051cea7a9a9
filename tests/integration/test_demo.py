"""`mediawatch demo` against the real broker."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from confluent_kafka.admin import AdminClient

from mediawatch_common.cli import main
from mediawatch_common.kafka import declare_topics

pytestmark = pytest.mark.integration


def test_demo_round_trip_is_identical(bootstrap: str, admin: AdminClient, tmp_path: Path) -> None:
    prefix = f"demotest{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "LOG_DIR": str(tmp_path),
        "LOG_CONSOLE": "false",
        "COLUMNS": "200",
    }
    runner = CliRunner()
    created = runner.invoke(main, ["topics", "create"], env=env)
    assert created.exit_code == 0, created.output
    assert created.output.count("created") == 7
    again = runner.invoke(main, ["topics", "create"], env=env)
    assert again.output.count("exists") == 7

    try:
        result = runner.invoke(main, ["demo"], env=env)
    finally:
        admin.delete_topics([t.name for t in declare_topics(prefix).all()])
    assert result.exit_code == 0, result.output
    assert "identical field by field: yes" in result.output
    assert "failed stages: 1" in result.output
    assert "FFMPEG_FAILED" in result.output


def test_bad_setting_stops_the_command_naming_the_variable() -> None:
    result = CliRunner().invoke(main, ["topics", "list"], env={"MONITORING_DISK_THRESHOLD": "lots"})
    assert result.exit_code == 2
    assert "MONITORING_DISK_THRESHOLD" in result.output
