"""Attempt numbers per (session, stage), and the error code an exception is reported with."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from mediawatch_client import ErrorCode, ProcessingStage, error_code_for
from mediawatch_client.attempts import AttemptBook
from mediawatch_client.event_builders import micros

pytestmark = pytest.mark.unit

NOW = micros(datetime(2026, 12, 1, tzinfo=UTC))


def test_attempts_count_per_session_and_stage() -> None:
    book = AttemptBook()
    assert book.start("s1", ProcessingStage.MERGING, "u", NOW, 0.0) == 1
    assert book.start("s1", ProcessingStage.MERGING, "u", NOW, 1.0) == 2
    assert book.start("s1", ProcessingStage.UPLOAD, "u", NOW, 1.0) == 1
    assert book.start("s2", ProcessingStage.MERGING, "v", NOW, 1.0) == 1
    opened = book.complete("s1", ProcessingStage.MERGING)
    assert opened is not None
    assert (opened.attempt, opened.user_id) == (2, "u")
    assert book.complete("s1", ProcessingStage.MERGING) is None
    assert book.last_attempt("s1", ProcessingStage.MERGING) == 2
    assert book.user_of("s2") == "v"


def test_the_book_is_bounded() -> None:
    book = AttemptBook(capacity=3)
    for n in range(10):
        book.start(f"s{n}", ProcessingStage.UPLOAD, "u", NOW, 0.0)
    assert book.complete("s0", ProcessingStage.UPLOAD) is None
    assert book.complete("s9", ProcessingStage.UPLOAD) is not None


class CodedError(Exception):
    error_code = "storage_upload_failed"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (CodedError("x"), ErrorCode.STORAGE_UPLOAD_FAILED),
        (TimeoutError(), ErrorCode.TIMEOUT_ERROR),
        (subprocess.TimeoutExpired(["ffmpeg"], 10), ErrorCode.TIMEOUT_ERROR),
        (subprocess.CalledProcessError(1, ["/usr/bin/ffmpeg", "-i"]), ErrorCode.FFMPEG_FAILED),
        (subprocess.CalledProcessError(1, ["ffprobe", "x"]), ErrorCode.FFPROBE_FAILED),
        (subprocess.CalledProcessError(1, "ls"), ErrorCode.INTERNAL_ERROR),
        (KeyError("k"), ErrorCode.INTERNAL_ERROR),
    ],
)
def test_exceptions_map_to_error_codes(exc: BaseException, code: ErrorCode) -> None:
    assert error_code_for(exc) is code


def test_ffmpeg_python_errors_are_ffmpeg_failures() -> None:
    import ffmpeg

    assert error_code_for(ffmpeg.Error("ffmpeg", b"", b"bad")) is ErrorCode.FFMPEG_FAILED
