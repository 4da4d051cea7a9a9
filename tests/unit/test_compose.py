from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from mediawatch_common.cli import main

pytestmark = pytest.mark.unit

COMPOSE = Path(__file__).resolve().parents[2] / "infra" / "compose.yaml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def test_infrastructure_comes_from_official_images() -> None:
    services = _services()
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["postgres"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["kafka"]
    assert "healthcheck" in services["postgres"]


def test_every_container_command_is_a_mediawatch_command() -> None:
    ours = {n: s for n, s in _services().items() if s.get("image") == "mediawatch:local"}
    assert ours, "no Mediawatch container declared"
    for name, service in ours.items():
        command: click.Command | None = main
        ctx = click.Context(main)
        for word in service["command"]:
            if word.startswith("-"):
                break
            assert isinstance(command, click.Group), f"{name}: {word} follows a plain command"
            command = command.get_command(ctx, word)
            assert command is not None, f"{name}: unknown command {word!r}"


def test_no_secret_is_written_in_the_file() -> None:
    text = COMPOSE.read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text
    assert "password=" not in text.lower()


def test_a_health_reporter_runs_beside_every_worker() -> None:
    services = _services()
    workers = {n: s for n, s in services.items() if s.get("command") == ["run", "transcoder"]}
    reporters = [s for s in services.values() if s.get("command") == ["run", "health"]]
    assert workers
    for name, worker in workers.items():
        beside = [r for r in reporters if r.get("hostname") == worker.get("hostname")]
        assert beside, f"no health reporter on the host of {name}"
        assert set(worker["volumes"]) <= set(beside[0]["volumes"])


def test_mediawatch_help_names_every_service_including_health() -> None:
    shown = CliRunner().invoke(main, ["--help"], terminal_width=200)

    assert shown.exit_code == 0, shown.output
    line = next(row for row in shown.output.splitlines() if row.strip().startswith("run "))
    for service in ("transcoder", "aggregator", "alerter", "projector", "api", "health"):
        assert service in line
