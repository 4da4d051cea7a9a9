"""The aggregator against the real broker, run as `mediawatch run aggregator` processes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage
from tests.integration.aggregator.helpers import (
    WindowReader,
    aggregator,
    committed,
    completions,
    deployment,
    expected,
    produce,
    wipe_state,
)
from tests.integration.helpers import read_raw, wait_for

pytestmark = pytest.mark.integration

# Event times in the past: the clock follows event time, so nothing is late.
BASE = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


def test_known_error_rate_gives_exact_windows_and_bad_messages_go_to_deadletter(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    events = completions(BASE, 600, 6.0, 4, [Stage.MERGING, Stage.COMPRESSION])
    want = expected(events)
    with deployment(bootstrap, admin, tmp_path) as dep:
        produce(bootstrap, dep.topics.pipeline.name, events, extra=b"not avro at all")
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep):
                reader.wait_closed(set(want))
        finally:
            reader.close()
        got = reader.closed()
        assert set(want) <= set(got)
        for key, (attempts, failures) in want.items():
            window = got[key]
            assert (window.attempts, window.failures) == (attempts, failures), key
            assert window.error_rate == pytest.approx(failures / attempts)
            assert window.failures_by_code == ({"FFMPEG_FAILED": failures} if failures else {})
            assert window.late_events == 0
            assert window.p50_seconds is not None
            assert 1.0 <= window.p50_seconds <= 9.0
        tumbling = got[("MERGING", 2, BASE)]
        assert tumbling.error_rate == pytest.approx(0.5)  # every 4th event fails, all MERGING
        assert tumbling.p99_seconds == pytest.approx(9.0, rel=0.01)
        dead = read_raw(bootstrap, dep.topics.deadletter.name, 1)
        assert [m.value() for m in dead] == [b"not avro at all"]
        reason = dict(dead[0].headers() or [])["mw-reason"]
        assert isinstance(reason, bytes)
        assert reason.startswith(b"bad_marker")


def test_a_window_closes_on_an_idle_stream(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    with deployment(bootstrap, admin, tmp_path) as dep:
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep):
                now = datetime.now(UTC)
                produce(
                    bootstrap, dep.topics.pipeline.name, completions(now, 3, 0.1, 2, [Stage.UPLOAD])
                )
                start = datetime.fromtimestamp(int(now.timestamp()) // 2 * 2, UTC)
                # No event follows: only the wall clock can close the window.
                reader.wait_closed({("UPLOAD", 2, start)}, timeout=60)
        finally:
            reader.close()
        window = reader.closed()[("UPLOAD", 2, start)]
        assert window.closed
        assert window.window_end == start + timedelta(seconds=2)
        assert window.attempts >= 1


def test_restart_with_wiped_state_publishes_identical_results(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    events = completions(BASE, 800, 8.0, 5, [Stage.ANALYSIS, Stage.STORAGE_UPLOAD])
    want = expected(events)
    with deployment(bootstrap, admin, tmp_path) as dep:
        produce(bootstrap, dep.topics.pipeline.name, events)
        batches = f"{dep.app_id}-stage-batches"
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep, kill=True):
                # Wait until the agent committed part of its input: from then on, a restart
                # must take what it counted from the changelog, not from re-reading.
                assert wait_for(
                    lambda: committed(bootstrap, dep.app_id, batches, 2) > 0, timeout=60
                )
            wipe_state(dep)
            time.sleep(1)
            with aggregator(dep):
                reader.wait_closed(set(want))
        finally:
            reader.close()
        got = reader.closed()
        for key, counts in want.items():
            assert (got[key].attempts, got[key].failures) == counts, key
        by_key: dict[tuple[str, int, datetime], set[tuple[int, int, float]]] = {}
        for e in reader.results:
            if e.closed:
                key = (e.stage.value, e.window_seconds, e.window_start)
                by_key.setdefault(key, set()).add((e.attempts, e.failures, e.duration_sum_seconds))
        assert all(len(v) == 1 for v in by_key.values()), "a window closed with two results"
