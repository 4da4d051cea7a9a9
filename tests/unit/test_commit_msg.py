"""The commit-msg check: subject length, full stop, blank line before the body."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.dev.commit_msg import MAX_SUBJECT, problems

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "dev" / "commit_msg.py"


def test_a_short_subject_with_a_body_passes() -> None:
    assert problems("Ship log records to the logs topic\n\nWhy it matters.\n") == []


def test_a_subject_one_character_too_long_fails() -> None:
    found = problems("x" * (MAX_SUBJECT + 1))
    assert found == [f"the subject has {MAX_SUBJECT + 1} characters; at most {MAX_SUBJECT}"]


def test_a_subject_of_exactly_the_limit_passes() -> None:
    assert problems("x" * MAX_SUBJECT) == []


def test_a_body_glued_to_the_subject_and_a_full_stop_fail() -> None:
    assert problems("Fix the thing.\nbody right away\n") == [
        "the subject ends with a full stop",
        "the subject is not followed by a blank line",
    ]


def test_git_comment_lines_and_leading_blanks_are_ignored() -> None:
    assert problems("\n# Please enter the commit message\nAdd a rule\n# comment\n") == []
    assert problems("# only comments\n\n") == ["the message is empty"]


def test_messages_git_writes_itself_pass() -> None:
    assert problems("Merge branch 'a-very-long-branch-name' into main" + "x" * 80) == []


def test_the_hook_exits_non_zero_and_names_the_problem(tmp_path: Path) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("y" * 100 + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(message)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert "the subject has 100 characters" in run.stderr
