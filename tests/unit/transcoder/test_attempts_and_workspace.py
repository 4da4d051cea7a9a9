"""Attempt history folded from pipeline events; safe workspace names; settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediawatch_common.events import ErrorCode, Event, Producer, Stage, StageCompleted, StageStarted
from mediawatch_common.settings import SettingsError
from mediawatch_transcoder.attempts import summarise
from mediawatch_transcoder.settings import load_transcoder_settings
from mediawatch_transcoder.worker import poll_interval_ms
from mediawatch_transcoder.workspace import remove_stale, safe_name, safe_suffix, workspace_for

pytestmark = pytest.mark.unit

WHO = Producer(service="t", host="h", pid=1)


def started(stage: Stage, attempt: int = 1) -> StageStarted:
    return StageStarted(producer=WHO, session_id="s", user_id="u", stage=stage, attempt=attempt)


def done(stage: Stage, attempt: int = 1, code: ErrorCode | None = None) -> StageCompleted:
    return StageCompleted(
        producer=WHO,
        session_id="s",
        user_id="u",
        stage=stage,
        attempt=attempt,
        started_at=datetime.now(UTC),
        success=code is None,
        duration_seconds=1.0,
        error_code=code,
    )


def test_no_history_means_first_attempt() -> None:
    history = summarise([])
    assert (history.next_attempt, history.finished, history.open_stages) == (1, False, ())


def test_a_stage_left_open_is_reported_and_the_next_attempt_follows() -> None:
    history = summarise([started(Stage.UPLOAD), done(Stage.UPLOAD), started(Stage.ANALYSIS)])
    assert history.next_attempt == 2
    assert [s.stage for s in history.open_stages] == [Stage.ANALYSIS]
    assert not history.finished


def test_a_cleaned_up_attempt_is_finished_even_when_it_failed() -> None:
    events: list[Event] = [
        started(Stage.UPLOAD),
        done(Stage.UPLOAD, code=ErrorCode.VALIDATION_FAILED),
        started(Stage.CLEANUP),
        done(Stage.CLEANUP),
    ]
    assert summarise(events).finished


def test_an_abandoned_attempt_is_not_finished() -> None:
    events: list[Event] = [
        started(Stage.MERGING, 2),
        done(Stage.MERGING, 2, ErrorCode.WORKER_LOST),
        started(Stage.CLEANUP, 2),
        done(Stage.CLEANUP, 2),
    ]
    history = summarise(events)
    assert (history.finished, history.next_attempt) == (False, 3)


def test_safe_names_are_plain_and_distinct() -> None:
    assert safe_name("video_session_1") == "video_session_1"
    odd = safe_name("../../etc/ü id")
    assert "/" not in odd
    assert " " not in odd
    assert safe_name("a b") != safe_name("a_b")
    assert safe_suffix("Mon clip (1).MP4") == ".mp4"
    assert safe_suffix("no-extension") == ".bin"
    assert safe_suffix("x.weird ext") == ".bin"


def test_remove_stale_only_touches_that_session(tmp_path: Path) -> None:
    mine, other = workspace_for(tmp_path, "s", 1), workspace_for(tmp_path, "s-ab", 1)
    mine.mkdir()
    other.mkdir()
    assert remove_stale(tmp_path, "s") == [mine]
    assert other.exists()


def test_settings_per_stage_timeouts_and_poll_interval() -> None:
    settings = load_transcoder_settings(
        {"TRANSCODER_STAGE_TIMEOUT_SECONDS": "10", "TRANSCODER_STAGE_TIMEOUTS": '{"MERGING": 50}'}
    )
    assert settings.timeout(Stage.MERGING) == 50
    assert settings.timeout(Stage.UPLOAD) == 10
    assert poll_interval_ms(settings) > settings.longest_session_seconds() * 1000


def test_bad_settings_name_the_variable() -> None:
    with pytest.raises(SettingsError, match="TRANSCODER_CRF"):
        load_transcoder_settings({"TRANSCODER_CRF": "80"})
