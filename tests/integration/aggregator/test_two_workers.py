"""Two aggregator workers share the stages; one is killed and the other takes over."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage
from tests.integration.aggregator.helpers import (
    WindowReader,
    aggregator,
    completions,
    deployment,
    expected,
    produce,
)

pytestmark = pytest.mark.integration

STAGES = [Stage.UPLOAD, Stage.MERGING, Stage.COMPRESSION, Stage.CLEANUP]


def test_killing_one_of_two_workers_loses_and_double_counts_no_window(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    # A live pipeline: events are stamped when they are produced. Once a partition was read to
    # its end, its clock is the wall clock minus the arrival delay, which closes the windows.
    now = datetime.now(UTC)
    base = now.replace(second=now.second // 2 * 2, microsecond=0)
    first = completions(base, 600, 6.0, 5, STAGES)
    with deployment(bootstrap, admin, tmp_path) as dep:
        # Two machines: same application (consumer groups), each its own local state.
        other = dataclasses.replace(dep, state_dir=tmp_path / "state-b", log_dir=tmp_path / "b")
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(other):
                with aggregator(dep, kill=True):
                    produce(bootstrap, dep.topics.pipeline.name, first)
                    early = {k for k in expected(first) if k[2] < base + timedelta(seconds=4)}
                    reader.wait_closed(early)
                # The first worker is gone (SIGKILL); its stages move to the second one.
                second = completions(datetime.now(UTC), 600, 6.0, 5, STAGES)
                produce(bootstrap, dep.topics.pipeline.name, second)
                events = first + second
                want = expected(events)
                reader.wait_closed(set(want))
        finally:
            reader.close()
    got = reader.closed()
    wrong = {k: (got[k].attempts, got[k].failures) for k, v in want.items()
             if (got[k].attempts, got[k].failures) != v}  # fmt: skip
    assert not wrong, f"windows with other counts than produced: {list(wrong.items())[:3]}"
    results: dict[tuple[str, int, datetime], set[tuple[int, int]]] = {}
    for e in reader.results:
        if e.closed:
            key = (e.stage.value, e.window_seconds, e.window_start)
            results.setdefault(key, set()).add((e.attempts, e.failures))
    assert all(len(v) == 1 for v in results.values()), "a window closed with two results"
    print(f"two workers, one killed: {len(events)} events, {len(want)} windows, exact")
