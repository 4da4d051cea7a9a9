"""The fixed window behind the API's rate limit (pure: the clock is an argument)."""

from __future__ import annotations

import pytest

from mediawatch_api.web.ratelimit import FixedWindow, Verdict

pytestmark = pytest.mark.unit


def test_a_client_gets_the_limit_then_429_until_its_window_resets() -> None:
    window = FixedWindow(limit=3, seconds=60)
    got = [window.hit("10.0.0.1", t) for t in (100.0, 101.0, 102.0, 103.0, 159.5)]
    assert got == [
        Verdict(True, 2, 60),
        Verdict(True, 1, 59),
        Verdict(True, 0, 58),
        Verdict(False, 0, 57),
        Verdict(False, 0, 0),
    ]
    assert window.hit("10.0.0.1", 160.0) == Verdict(True, 2, 60)


def test_clients_are_counted_apart() -> None:
    window = FixedWindow(limit=1, seconds=60)
    assert window.hit("a", 0.0).allowed
    assert not window.hit("a", 1.0).allowed
    assert window.hit("b", 1.0).allowed


def test_refused_requests_do_not_extend_or_fill_the_window() -> None:
    window = FixedWindow(limit=2, seconds=10)
    for t in range(0, 10):
        window.hit("a", float(t))
    assert window.hit("a", 10.0) == Verdict(True, 1, 10)


def test_finished_windows_are_forgotten() -> None:
    window = FixedWindow(limit=5, seconds=60)
    for i in range(100):
        window.hit(f"client-{i}", 0.0)
    window.hit("late", 61.0)
    assert set(window._windows) == {"late"}
