"""A burst of history on several partitions at once, as in a replay or a backlog.

The round is produced at once on four partitions and followed by one far-ahead event per
stage and partition, so the stage clocks jump past every window of the round while the
windows of the first panes are being closed and published (docs/aggregator.md). Every
window must close with exactly the events produced: none lost, none reported late.

The rounds lie ahead of the wall clock: once the stream was read to its end, the clock is the
wall clock minus the arrival delay, and history older than that arriving afterwards is late.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage, StageCompleted
from tests.integration.aggregator.helpers import (
    WindowReader,
    aggregator,
    completions,
    deployment,
    expected_windows,
    produce,
)

pytestmark = pytest.mark.integration

BASE = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
STAGES = [Stage.UPLOAD, Stage.MERGING, Stage.CLEANUP]
PARTITIONS = 4
SPECS = [(2, 2), (4, 2), (60, 2)]
SETTINGS = {
    "AGGREGATOR_WINDOWS": "2,4/2,60/2",
    # The hour-long windows of the benchmark, scaled down: a pane is forgotten 2 + 60 + 1 + 30 s
    # after its start, sooner than the far-ahead events move the clock past it.
    "AGGREGATOR_LATE_RETENTION_SECONDS": "30",
    "AGGREGATOR_TICK_SECONDS": "0.1",
}


def with_sentinels(start: datetime, count: int, seconds: float) -> list[StageCompleted]:
    """A round of completions, then one event per stage and partition 80 s after it."""
    events = completions(start, count, seconds, 7, STAGES)
    ahead = start + timedelta(seconds=seconds + 80)
    sentinels = completions(ahead, len(STAGES) * PARTITIONS, 0.0, 1_000_000, STAGES)
    return events + sentinels


def spread(events: list[StageCompleted]) -> list[int]:
    """Round-robin over the partitions: the sentinels land one per stage and partition."""
    return [i % PARTITIONS for i in range(len(events))]


def test_a_burst_on_several_partitions_closes_every_window_exactly(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    warmup = with_sentinels(BASE - timedelta(hours=1), 200, 10.0)
    burst = with_sentinels(BASE, 6000, 60.0)
    round_events = burst[: -len(STAGES) * PARTITIONS]
    want = expected_windows(round_events, SPECS)
    with deployment(bootstrap, admin, tmp_path, partitions=PARTITIONS) as dep:
        dep.overrides.update(SETTINGS)
        topic = dep.topics.pipeline.name
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep):
                # Every partition moves once before the burst, as in a running deployment.
                produce(bootstrap, topic, warmup, partitions=spread(warmup))
                reader.wait_closed(set(expected_windows(warmup[:200], SPECS)))
                produce(bootstrap, topic, burst, partitions=spread(burst))
                reader.wait_closed(set(want))
        finally:
            reader.close()
    got = reader.closed()
    counts = {k: (got[k].attempts, got[k].failures, got[k].late_events) for k in want}
    wrong = {k: c for k, c in counts.items() if c != (*want[k], 0)}
    assert not wrong, f"{len(wrong)} windows with other counts: {sorted(wrong.items())[:3]}"
    twice: dict[tuple[str, int, datetime], set[int]] = {}
    for e in reader.results:
        if e.closed:
            twice.setdefault((e.stage.value, e.window_seconds, e.window_start), set()).add(
                e.attempts
            )
    assert all(len(v) == 1 for v in twice.values()), "a window closed with two results"
