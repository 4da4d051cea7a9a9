"""SIGTERM a transcoder while its broker is down: it exits within 30 s and loses nothing.

A worker (``mediawatch run transcoder``) on a broker of the test's own is busy with a session
when the broker is stopped, then gets SIGTERM. It must exit in under 30 s: the running stage is
abandoned (``WORKER_LOST``), CLEANUP runs, the events Kafka cannot take go to the client's
spool, and the job is not committed. With the broker back, a restarted worker sends the spool
and runs the session again as attempt 2: every stage event of attempt 1 is on the topic, each
start with its completion, none twice.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    ErrorCode,
    Stage,
    StageCompleted,
    StageStarted,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_transcoder.submit import transcode_request

from ..integration.helpers import wait_for
from .cluster import Cluster
from .test_transcoder_kill import WHO, _children_on, _clip, _env, _pipeline, _start, _stop
from .topics import unique_topics

pytestmark = pytest.mark.reliability

EXIT_WITHIN = 30.0


@pytest.fixture
def solo_topics(solo: Cluster) -> Iterator[Topics]:
    with unique_topics(AdminClient({"bootstrap.servers": solo.bootstrap}), "rel-stop") as t:
        yield t


def _stage_events(bootstrap: str, topic: str, session: str) -> list[StageStarted | StageCompleted]:
    events = _pipeline(bootstrap, topic)
    return [e for e in events if isinstance(e, StageStarted | StageCompleted)
            and e.session_id == session]  # fmt: skip


def test_sigterm_with_the_broker_down_exits_in_time_and_loses_nothing(
    solo: Cluster, solo_topics: Topics, tmp_path: Path
) -> None:
    bootstrap, topic = solo.bootstrap, solo_topics.pipeline.name
    clips = [_clip(tmp_path / f"clip-{i}.mp4") for i in range(2)]
    job = transcode_request(clips, "user_rel", WHO, f"stop-{uuid.uuid4().hex[:6]}")
    EventProducer(producer_config(bootstrap, "rel-stop-submit")).send(
        solo_topics.jobs.name, encode_event(job), key=job.session_id
    )
    env = {**_env(solo_topics, bootstrap, tmp_path), "TRANSCODER_STOP_GRACE_SECONDS": "5"}
    first = _start(env, tmp_path / "worker-a.out")
    second = None
    broker_down = False
    try:
        busy = wait_for(lambda: bool(_children_on(tmp_path / "work" / f"{job.session_id}-a1")),
                        timeout=120)  # fmt: skip
        assert busy, (tmp_path / "worker-a.out").read_text(errors="replace")[-3000:]
        solo.signal(1, "KILL")
        broker_down = True
        began = time.monotonic()
        first.send_signal(signal.SIGTERM)
        try:
            first.wait(timeout=120)
        finally:
            took = time.monotonic() - began
        solo.start(1)
        broker_down = False
        second = _start(env, tmp_path / "worker-b.out")

        def recorded() -> bool:
            events = _stage_events(bootstrap, topic, job.session_id)
            return any(isinstance(e, StageCompleted) and e.stage is Stage.CLEANUP
                       and e.attempt == 2 for e in events)  # fmt: skip

        finished = wait_for(recorded, timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
        if broker_down:
            solo.start(1)
        if second is not None:
            _stop(second)
    log_a = (tmp_path / "worker-a.out").read_text(errors="replace")[-3000:]
    events = _stage_events(bootstrap, topic, job.session_id)
    ids = Counter(e.event_id for e in events)
    first_run = [(type(e).__name__, e.stage, e.error_code if isinstance(e, StageCompleted)
                  else None) for e in events if e.attempt == 1]  # fmt: skip
    print(f"transcoder SIGTERM with the broker down: exit after {took:.1f} s, "
          f"code {first.returncode}; attempt 1 on the topic: {first_run}")  # fmt: skip
    assert took < EXIT_WITHIN, f"took {took:.1f} s to exit\n{log_a}"
    assert finished, (tmp_path / "worker-b.out").read_text(errors="replace")[-3000:]
    assert all(n == 1 for n in ids.values()), "an event reached the topic twice"
    started = [e.stage for e in events if isinstance(e, StageStarted) and e.attempt == 1]
    ended = [e for e in events if isinstance(e, StageCompleted) and e.attempt == 1]
    assert started, first_run
    assert started == [e.stage for e in ended], first_run
    assert ended[-1].stage is Stage.CLEANUP, first_run
    assert any(e.error_code is ErrorCode.WORKER_LOST for e in ended), first_run
    second_run = [e for e in events if isinstance(e, StageCompleted) and e.attempt == 2]
    assert [e.stage for e in second_run][-1] is Stage.CLEANUP
