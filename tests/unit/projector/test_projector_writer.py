"""The projector's background writer: one write at a time, retried, abandoned on demand."""

from __future__ import annotations

import threading

import pytest

from mediawatch_projector.writer import BackgroundWriter, WriteBehindError

pytestmark = pytest.mark.unit


def test_writes_run_one_after_the_other_in_order() -> None:
    written: list[int] = []
    writer: BackgroundWriter[int] = BackgroundWriter(written.append)
    for item in range(5):
        writer.settle()
        writer.submit(item)

    assert writer.close()
    assert written == [0, 1, 2, 3, 4]


def test_a_second_submit_without_settling_is_refused() -> None:
    release = threading.Event()

    def block(_: int) -> None:
        release.wait()

    writer: BackgroundWriter[int] = BackgroundWriter(block)
    writer.submit(1)

    with pytest.raises(RuntimeError):
        writer.submit(2)
    release.set()
    assert writer.close()


def test_a_failing_write_is_reported_behind_then_retried_until_it_succeeds() -> None:
    attempts: list[int] = []
    may_succeed = threading.Event()

    def write(item: int) -> None:
        attempts.append(item)
        if not may_succeed.is_set():
            raise ConnectionError("database down")

    writer: BackgroundWriter[int] = BackgroundWriter(write, max_backoff=0.05)
    writer.submit(7)
    with pytest.raises(WriteBehindError):
        writer.settle()
    may_succeed.set()
    writer.settle(wait_while_failing=True)

    assert len(attempts) >= 2
    assert set(attempts) == {7}
    assert writer.close()


def test_an_abandoned_failing_write_reports_it_was_not_written() -> None:
    def write(_: int) -> None:
        raise ConnectionError("database down")

    writer: BackgroundWriter[int] = BackgroundWriter(write, max_backoff=0.05)
    writer.submit(1)

    assert writer.abandon() is False
    writer.submit(2)  # the writer takes new work after giving one up
    assert writer.close() is False
