"""Silences added from the command line reach a running alerter through the alerts topic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from mediawatch_alerter.silence_commands import silences
from mediawatch_common.events import AlertRaised
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import Settings

from ..helpers import wait_for
from .running import alert_events, alerter, background
from .test_alerter import produce_broken_session

pytestmark = pytest.mark.integration


def cli(settings: Settings, *args: str) -> str:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(silences, list(args), obj=settings)
    assert result.exit_code == 0, result.output
    return result.output


def raised(settings: Settings, topics: Topics) -> list[str]:
    events = alert_events(settings, topics, 50, timeout=2)
    return [e.session_id or "" for e in events if isinstance(e, AlertRaised)]


def test_a_silence_mutes_a_matching_alert_and_expiring_it_lets_the_next_through(
    isolated: tuple[Settings, Topics],
) -> None:
    settings, topics = isolated
    live = alerter(settings)
    with background(live):
        silence_id = cli(
            settings, "add", "--matcher", "stage=merging", "--duration", "2h",
            "--author", "alice", "--comment", "merging fix being deployed",
        ).strip()  # fmt: skip
        assert wait_for(lambda: live.evaluator.silences.muting({"stage": "merging"}, _now()))
        assert silence_id in cli(settings, "list")

        produce_broken_session(settings, topics, "muted")
        assert wait_for(lambda: live.evaluator.book.suppressed(), timeout=30)
        live.tick()
        ((alert, why),) = live.evaluator.book.suppressed()
        assert (alert.session_id, why) == ("muted", f"silence:{silence_id}")
        assert raised(settings, topics) == []

        assert cli(settings, "expire", silence_id).strip() == f"expired {silence_id}"
        assert wait_for(lambda: not live.evaluator.silences.muting({"stage": "merging"}, _now()))
        produce_broken_session(settings, topics, "heard")
        assert wait_for(lambda: "heard" in raised(settings, topics), timeout=30)

    # The muted alert still fires after the silence ended, so it is announced then (once).
    assert sorted(raised(settings, topics)) == ["heard", "muted"]
    assert silence_id not in cli(settings, "list")
    assert "expired" in cli(settings, "list", "--all")


def test_expiring_an_unknown_silence_fails(isolated: tuple[Settings, Topics]) -> None:
    settings, _topics = isolated
    result = CliRunner().invoke(silences, ["expire", "silence_1_1"], obj=settings)

    assert result.exit_code == 1
    assert "no silence 'silence_1_1'" in result.output


def _now() -> datetime:
    return datetime.now(UTC)
