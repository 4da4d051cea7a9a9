from __future__ import annotations

import random

import pytest

from mediawatch_common.retry import Backoff, retry

pytestmark = pytest.mark.unit


def test_ceilings_grow_by_the_multiplier_up_to_the_maximum() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0, multiplier=2.0)
    assert [backoff.ceiling(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff.ceiling(10_000) == 30.0


def test_delays_are_jittered_below_the_ceiling() -> None:
    backoff = Backoff(initial=1.0, maximum=60.0)
    delays = [backoff.delay(n, random.Random(7).random) for n in range(1, 8)]
    assert delays == [random.Random(7).random() * backoff.ceiling(n) for n in range(1, 8)]
    assert all(0 <= d < backoff.ceiling(n) for n, d in enumerate(delays, start=1))
    spread = {
        round(Backoff(1.0, 1.0).delay(1, random.Random(seed).random), 6) for seed in range(20)
    }
    assert len(spread) == 20  # processes that failed together do not retry together


def test_the_random_source_bounds_the_delay() -> None:
    backoff = Backoff(initial=2.0, maximum=5.0)
    assert backoff.delay(3, lambda: 0.0) == 0.0
    assert backoff.delay(3, lambda: 0.5) == 2.5


@pytest.mark.parametrize("kwargs", [{"initial": -1.0}, {"maximum": -1.0}, {"multiplier": 0.5}])
def test_nonsense_backoffs_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="not a backoff"):
        Backoff(**kwargs)


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        Backoff().ceiling(0)


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"failure {self.calls}")
        return "done"


def test_retry_until_success_waits_the_jittered_delays() -> None:
    action = Flaky(3)
    waited: list[float] = []
    retried: list[tuple[str, float]] = []
    result = retry(
        action,
        Backoff(initial=1.0, maximum=3.0),
        wait=waited.append,
        on_retry=lambda exc, delay: retried.append((str(exc), delay)),
        random=lambda: 0.5,
    )
    assert result == "done"
    assert action.calls == 4
    assert waited == [0.5, 1.0, 1.5]
    assert retried == [("failure 1", 0.5), ("failure 2", 1.0), ("failure 3", 1.5)]


def test_retry_stops_promptly_when_the_caller_is_stopping() -> None:
    action = Flaky(100)
    waited: list[float] = []
    stopping = iter([False, True])
    with pytest.raises(ConnectionError, match="failure 1"):
        retry(action, Backoff(), stopping=lambda: next(stopping), wait=waited.append)
    assert action.calls == 1  # no attempt after a wait the shutdown cut short
    assert len(waited) == 1


def test_retry_does_not_wait_when_already_stopping() -> None:
    action = Flaky(100)
    waited: list[float] = []
    with pytest.raises(ConnectionError):
        retry(action, Backoff(), stopping=lambda: True, wait=waited.append)
    assert (action.calls, waited) == (1, [])


def test_retry_gives_up_after_max_attempts() -> None:
    action = Flaky(100)
    waited: list[float] = []
    with pytest.raises(ConnectionError, match="failure 3"):
        retry(action, Backoff(), wait=waited.append, max_attempts=3)
    assert action.calls == 3
    assert len(waited) == 2


def test_other_failures_are_not_retried() -> None:
    def broken() -> None:
        raise KeyError("bug")

    waited: list[float] = []
    with pytest.raises(KeyError):
        retry(broken, Backoff(), wait=waited.append, retry_on=ConnectionError)
    assert waited == []
