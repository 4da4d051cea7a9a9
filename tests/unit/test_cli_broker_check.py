"""The broker check before a command: which command lines run it, and what it says when the
brokers do not answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mediawatch_common.cli import main
from mediawatch_common.cli.context import require_access
from mediawatch_common.cli.request import REQUESTED
from mediawatch_common.kafka import check_access
from mediawatch_common.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit

NOBODY = "127.0.0.1:1"
"""A port nothing listens on: connections are refused at once."""
SECURED = {
    "KAFKA_BOOTSTRAP_SERVERS": NOBODY,
    "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "KAFKA_SASL_MECHANISM": "PLAIN",
    "KAFKA_SASL_USERNAME": "mediawatch",
    "KAFKA_SASL_PASSWORD": "not-a-secret",
    "KAFKA_ACCESS_CHECK_SECONDS": "0.2",
}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    root = logging.getLogger()
    handlers = list(root.handlers)
    yield {**SECURED, "LOG_DIR": str(tmp_path / "logs"), "LOG_CONSOLE": "false",
           "LOG_SHIP_FLUSH_SECONDS": "0"}  # fmt: skip
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()


def _requested(*args: str) -> tuple[str, ...] | None:
    ctx = click.Context(main, info_name="mediawatch")
    assert isinstance(main, click.Group)
    main.resolve_command(ctx, list(args))
    requested: tuple[str, ...] | None = ctx.meta[REQUESTED]
    return requested


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["topics", "plan"], ("topics", "plan")),
        (["run", "projector"], ("run", "projector")),
        (["replay", "--session", "--help"], ("replay",)),  # an option's value, not a request
        (["prometheus", "rules"], ("prometheus", "rules")),
        (["topics", "plan", "--help"], None),
        (["run", "projector", "--help"], None),
        (["topics", "--help"], None),
        (["topics"], None),  # a group without its command prints its help
        (["topics", "nope"], None),
        (["replay", "--from", "nonsense"], None),  # refused by click before anything runs
        (["deadletters", "show"], None),
    ],
)
def test_the_command_that_will_run_is_parsed_as_click_parses_it(
    args: list[str], path: tuple[str, ...] | None
) -> None:
    assert _requested(*args) == path


@pytest.mark.parametrize(
    "args", [["prometheus", "rules"], ["topics", "plan", "--help"], ["run", "projector", "--help"]]
)
def test_help_and_commands_without_a_broker_skip_the_check(
    env: dict[str, str], args: list[str]
) -> None:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert "KAFKA_BOOTSTRAP_SERVERS" not in result.stderr


def test_a_command_that_talks_to_kafka_says_the_brokers_did_not_answer(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "topics.toml"
    bad.write_text("[pipline]\n")  # stops `topics plan` right after the check, before Kafka
    result = CliRunner().invoke(
        main, ["topics", "plan"], env={**env, "KAFKA_TOPICS_FILE": str(bad)}
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[:2] == [
        f"Waiting: the brokers at KAFKA_BOOTSTRAP_SERVERS={NOBODY} have not answered yet; "
        "waiting up to 0.2 s (KAFKA_ACCESS_CHECK_SECONDS)",
        f"Warning: no broker at KAFKA_BOOTSTRAP_SERVERS={NOBODY} answered within 0.2 s "
        "(KAFKA_ACCESS_CHECK_SECONDS); going on, the clients keep trying: check the address "
        "and that the brokers are up",
    ]
    assert "unknown topic 'pipline'" in result.stderr


def test_the_wait_is_a_bounded_setting_and_zero_skips_the_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load_settings({}).kafka.access_check_seconds == 10
    with pytest.raises(SettingsError, match="KAFKA_ACCESS_CHECK_SECONDS"):
        load_settings({**SECURED, "KAFKA_ACCESS_CHECK_SECONDS": "121"})
    skipped = load_settings({**SECURED, "KAFKA_ACCESS_CHECK_SECONDS": "0"})
    assert check_access(skipped.kafka)
    require_access(skipped)
    assert capsys.readouterr().err == ""
