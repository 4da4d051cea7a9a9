"""The periodic thread: when its first call comes, that a failing call does not end it, and
that a stop starts no further call."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from mediawatch_common.periodic import Periodic

pytestmark = pytest.mark.unit

LONG = 3600.0  # an interval no test waits out
DEADLINE = 5.0


def test_first_call_comes_at_once_with_at_start() -> None:
    called = threading.Event()
    names: list[tuple[str, bool]] = []

    def call() -> None:
        thread = threading.current_thread()
        names.append((thread.name, thread.daemon))
        called.set()

    periodic = Periodic(call, LONG, "test-periodic", at_start=True)
    periodic.start()
    assert called.wait(DEADLINE)
    periodic.stop()
    assert names == [("test-periodic", True)]


def test_first_call_waits_one_interval_by_default() -> None:
    calls: list[int] = []
    periodic = Periodic(lambda: calls.append(1), LONG, "test-periodic")
    periodic.start()
    periodic.stop()
    assert calls == []
    assert periodic.stopping


def test_a_failing_call_is_logged_and_the_next_one_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    second = threading.Event()
    calls: list[int] = []

    def call() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        second.set()

    periodic = Periodic(call, 0.001, "test-periodic", at_start=True)
    with caplog.at_level(logging.ERROR, logger="mediawatch_common.periodic"):
        periodic.start()
        assert second.wait(DEADLINE)
        periodic.stop()
    failed = [r for r in caplog.records if r.name == "mediawatch_common.periodic"]
    assert failed
    assert failed[0].exc_info is not None
    assert "first call fails" in str(failed[0].exc_info[1])


def test_stop_waits_for_the_call_in_progress_and_starts_no_other() -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def call() -> None:
        calls.append(1)
        entered.set()
        release.wait(DEADLINE)

    periodic = Periodic(call, 0.0, "test-periodic", at_start=True)
    periodic.start()
    assert entered.wait(DEADLINE)
    stopper = threading.Thread(target=periodic.stop)
    stopper.start()
    deadline = time.monotonic() + DEADLINE
    while not periodic.stopping and time.monotonic() < deadline:
        time.sleep(0.001)
    assert periodic.stopping
    assert stopper.is_alive()  # waiting for the call in progress
    release.set()
    stopper.join(DEADLINE)
    assert not stopper.is_alive()
    assert calls == [1]
    assert not any(t.name == "test-periodic" for t in threading.enumerate())


def test_a_stopped_periodic_starts_again() -> None:
    called = threading.Event()
    periodic = Periodic(called.set, LONG, "test-periodic", at_start=True)
    periodic.start()
    periodic.stop()
    called.clear()
    periodic.start()
    assert not periodic.stopping
    assert called.wait(DEADLINE)
    periodic.stop()
