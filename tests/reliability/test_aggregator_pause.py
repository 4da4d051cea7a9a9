"""SIGSTOP longer than the consumer session timeout, then SIGCONT (a GC-pause stand-in).

The aggregator (``mediawatch run aggregator``) is frozen after it committed part of its input;
events of a live pipeline (event times during the pause) arrive while it is frozen, for longer
than its ingest consumer's session timeout, so the group coordinator evicts it. Once thawed it
must rejoin, and every closed window must count exactly the events produced: none lost, none
counted twice, none judged late because wall time passed while the worker was frozen.
"""

from __future__ import annotations

import signal
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
)
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.reliability

INGEST_SESSION_TIMEOUT = 10.0  # aiokafka's default session.timeout.ms of the ingest consumer
PAUSE_SECONDS = INGEST_SESSION_TIMEOUT + 6


def _members(admin: AdminClient, group: str) -> int:
    (description,) = admin.describe_consumer_groups([group], request_timeout=10).values()
    return len(description.result().members)


def test_aggregator_frozen_past_its_session_timeout_counts_every_event_exactly_once(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    stages = [Stage.PREPARATION, Stage.COMPRESSION]
    first = completions(datetime.now(UTC) - timedelta(seconds=6), 600, 6.0, 4, stages)
    with deployment(bootstrap, admin, tmp_path) as dep:
        produce(bootstrap, dep.topics.pipeline.name, first)
        ingest = f"{dep.app_id}-ingest"
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep) as proc:
                assert wait_for(
                    lambda: committed(bootstrap, ingest, dep.topics.pipeline.name, 2) > 0,
                    timeout=90,
                ), "the aggregator never committed its input"
                committed_at_stop = committed(bootstrap, ingest, dep.topics.pipeline.name, 2)
                proc.send_signal(signal.SIGSTOP)
                try:
                    # What a live pipeline produces during the pause, stamped with its times.
                    second = completions(datetime.now(UTC), 600, PAUSE_SECONDS, 3, stages)
                    produce(bootstrap, dep.topics.pipeline.name, second)
                    evicted = wait_for(lambda: _members(admin, ingest) == 0, PAUSE_SECONDS)
                    time.sleep(max(0.0, PAUSE_SECONDS - INGEST_SESSION_TIMEOUT))
                finally:
                    proc.send_signal(signal.SIGCONT)
                events = first + second
                want = expected(events)
                reader.wait_closed(set(want), timeout=150)
                rejoined = _members(admin, ingest)
                alive = proc.poll() is None
        finally:
            reader.close()
        got = reader.closed()
        closed_twice: dict[tuple[str, int, datetime], set[tuple[int, int]]] = {}
        for e in reader.results:
            if e.closed:
                key = (e.stage.value, e.window_seconds, e.window_start)
                closed_twice.setdefault(key, set()).add((e.attempts, e.failures))
        counted = sum(got[k].attempts for k in want if k[1] == 2)
        wrong = {k: (got[k].attempts, got[k].failures, v) for k, v in want.items()
                 if (got[k].attempts, got[k].failures) != v}  # fmt: skip
        over = sum(max(0, got[k].attempts - v[0]) for k, v in want.items())
        under = sum(max(0, v[0] - got[k].attempts) for k, v in want.items())
        late = sum(got[k].late_events for k in want if k[1] == 2)
        print(
            f"aggregator SIGSTOP {PAUSE_SECONDS:.0f}s (> {INGEST_SESSION_TIMEOUT:.0f}s session): "
            f"produced={len(events)} committed_before_stop={committed_at_stop} "
            f"evicted={evicted} counted_in_2s_windows={counted} windows={len(want)} "
            f"wrong_windows={len(wrong)} late_in_2s_windows={late} duplicated={over} lost={under}"
        )
        assert evicted, "the frozen aggregator was never evicted from its group"
        assert alive, "the aggregator died after SIGCONT"
        assert rejoined >= 1
        assert not wrong, sorted(wrong.items())[:5]
        assert counted == len(events)
        assert all(len(v) == 1 for v in closed_twice.values()), "a window closed twice, differing"
