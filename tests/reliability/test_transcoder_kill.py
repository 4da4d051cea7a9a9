"""SIGKILL a transcoder worker mid-stage: the session is taken over, none is silently lost,
no ffmpeg of the killed worker survives it.

Two sessions are queued for worker A (``mediawatch run transcoder``). Once A runs an ffmpeg
child on the first session's workspace, A is SIGKILLed. Worker B (same group, same work dir)
takes the jobs over: the open stage gets ``WORKER_LOST`` for attempt 1, and attempt 2 runs to
its end (success or an explicit failure, CLEANUP included). Every submitted session must end
with a CLEANUP completion; the killed worker's ffmpeg children must be gone with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_transcoder.submit import transcode_request

from ..integration.helpers import wait_for
from .topics import prefix_of, unique_topics

pytestmark = pytest.mark.reliability

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
WHO = Producer(service="test", host="h", pid=1)
CLIP_SECONDS = 10  # long enough that preparing a clip takes a moment; the kill waits for ffmpeg


def _clip(path: Path) -> Path:
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", str(CLIP_SECONDS),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-y", str(path)]  # fmt: skip
    subprocess.run(args, check=True, timeout=120)
    return path


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    with unique_topics(admin, "rel-tx") as declared:
        yield declared


def _env(topics: Topics, bootstrap: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix_of(topics),
        "TRANSCODER_WORK_DIR": str(tmp_path / "work"),
        "TRANSCODER_STORAGE_DIR": str(tmp_path / "store"),
        "TRANSCODER_SPOOL_DIR": str(tmp_path / "spool"),
        "TRANSCODER_GROUP_ID": f"rel-tx-{uuid.uuid4().hex[:8]}",
        "TRANSCODER_TARGET_LONG_SIDE": "640",
        "TRANSCODER_MAX_FPS": "30",
        "TRANSCODER_PREP_PRESET": "ultrafast",
        "TRANSCODER_PRESET": "ultrafast",
        "TRANSCODER_STAGE_TIMEOUT_SECONDS": "120",
        "TRANSCODER_SAMPLE_INTERVAL_SECONDS": "1",
        "LOG_DIR": str(tmp_path / "logs"),
        "LOG_CONSOLE": "false",
    }


def _start(env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    with out.open("ab") as sink:
        return subprocess.Popen([str(MEDIAWATCH), "run", "transcoder"], env=env,
                                stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip


def _children_on(path: Path) -> list[psutil.Process]:
    """ffmpeg/ffprobe processes whose command line names ``path``."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        name = proc.info["name"] or ""
        cmdline = " ".join(proc.info["cmdline"] or ())
        if name in ("ffmpeg", "ffprobe") and str(path) in cmdline:
            found.append(proc)
    return found


def _pipeline(bootstrap: str, topic: str) -> list[Event]:
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"r-{uuid.uuid4().hex}",
                       "enable.auto.commit": False})  # fmt: skip
    try:
        reader.assign([TopicPartition(topic, 0, 0)])
        events: list[Event] = []
        while batch := reader.consume(1000, 1.0):
            events += [decode_event(m.value() or b"") for m in batch if m.error() is None]
        return events
    finally:
        reader.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_killed_worker_session_taken_over_none_silently_lost_no_ffmpeg_orphan(
    bootstrap: str, topics: Topics, tmp_path: Path
) -> None:
    clips = [_clip(tmp_path / f"clip-{i}.mp4") for i in range(2)]
    jobs = [transcode_request(clips, "user_rel", WHO, f"rel-{i}-{uuid.uuid4().hex[:6]}")
            for i in range(2)]  # fmt: skip
    submitter = EventProducer(producer_config(bootstrap, "rel-tx-submit"))
    for job in jobs:
        submitter.send(topics.jobs.name, encode_event(job), key=job.session_id)
    env = _env(topics, bootstrap, tmp_path)
    first_workspace = tmp_path / "work" / f"{jobs[0].session_id}-a1"
    orphans: list[psutil.Process] = []
    worker_a = _start(env, tmp_path / "worker-a.out")
    worker_b: subprocess.Popen[bytes] | None = None
    try:
        busy = wait_for(lambda: bool(_children_on(first_workspace)), timeout=120)
        assert busy, (tmp_path / "worker-a.out").read_text(errors="replace")[-3000:]
        # Killed at once: reading the topic first gave a quick session time to finish.
        worker_a.send_signal(signal.SIGKILL)
        assert worker_a.wait(timeout=30) == -signal.SIGKILL
        time.sleep(1.0)  # what the kill would take down is down by now
        orphans = _children_on(first_workspace)
        stage_at_kill = [type(e).__name__ + ":" + e.stage.value
                         for e in _pipeline(bootstrap, topics.pipeline.name)
                         if isinstance(e, StageStarted | StageCompleted)][-1]  # fmt: skip
        orphan_lines = [" ".join(p.cmdline())[:200] for p in orphans if p.is_running()]

        worker_b = _start(env, tmp_path / "worker-b.out")

        def ended() -> bool:
            done = {e.session_id for e in _pipeline(bootstrap, topics.pipeline.name)
                    if isinstance(e, StageCompleted) and e.stage is Stage.CLEANUP
                    and e.error_code is not ErrorCode.WORKER_LOST}  # fmt: skip
            return done >= {j.session_id for j in jobs}

        finished = wait_for(ended, timeout=240)
    finally:
        worker_a.kill() if worker_a.poll() is None else None
        if worker_b is not None:
            _stop(worker_b)
        for proc in orphans:  # leave nothing running, whatever the verdict
            if proc.is_running():
                proc.kill()
    events = [e for e in _pipeline(bootstrap, topics.pipeline.name)
              if isinstance(e, StageStarted | StageCompleted)]  # fmt: skip
    outcome: dict[str, str] = {}
    for job in jobs:
        mine = [e for e in events if e.session_id == job.session_id]
        last = max((e.attempt for e in mine), default=0)
        ends = [e for e in mine if isinstance(e, StageCompleted) and e.attempt == last]
        failed = [e for e in ends if not e.success]
        if not any(e.stage is Stage.CLEANUP for e in ends):
            outcome[job.session_id] = "lost"
        elif failed:
            outcome[job.session_id] = f"failed:{failed[0].error_code}"
        else:
            outcome[job.session_id] = f"completed(attempt {last})"
    lost_marks = [e for e in events if isinstance(e, StageCompleted)
                  and e.error_code is ErrorCode.WORKER_LOST]  # fmt: skip
    leftover = sorted(p.name for p in (tmp_path / "work").glob("*")) if finished else []
    print(
        f"transcoder SIGKILL at {stage_at_kill}: sessions={len(jobs)} outcomes={outcome} "
        f"worker_lost_marked={len(lost_marks)} ffmpeg_orphans={len(orphan_lines)} "
        f"leftover_workspaces={leftover} lost={sum(v == 'lost' for v in outcome.values())}"
    )
    log_b = (tmp_path / "worker-b.out").read_text(errors="replace")[-3000:]
    assert finished, f"not every session ended:\n{log_b}"
    assert all(v != "lost" for v in outcome.values()), outcome
    assert [e.attempt for e in lost_marks if e.session_id == jobs[0].session_id] == [1]
    assert outcome[jobs[0].session_id].startswith(("completed(attempt 2)", "failed:"))
    assert not leftover, "workspaces left behind"
    assert not orphan_lines, f"ffmpeg children outlived their SIGKILLed worker: {orphan_lines}"
