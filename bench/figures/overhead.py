"""Monitoring overhead: a real 3-clip session through the transcoder, with its stage events on
the broker and ResourceSample running, against the same ffmpeg/ffprobe commands run bare.

The bare commands are the exact ones the session spawned: a first, untimed session is watched
through Python's ``subprocess.Popen`` audit event, and its ffmpeg/ffprobe argv are replayed
with ``subprocess.run`` in the same order (each in a session of its own, as the worker starts
them), around the same file work (copy the clips in, write the concat list, store the result,
delete the workspace). Runs alternate (and which goes first in a pair alternates), so drift on
the machine hits both alike. Besides wall time, the CPU seconds of the worker process itself
are compared: on a busy machine they show the cost of the monitoring far more steadily than
wall time does."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.model import Context, Figure, median
from mediawatch_client import ClientConfig, MediaMonitor
from mediawatch_common.events import Producer
from mediawatch_common.storage import LocalStorage
from mediawatch_transcoder import ffmpeg_args
from mediawatch_transcoder.reporting import StageReporter
from mediawatch_transcoder.resource_sampler import ResourceSampler
from mediawatch_transcoder.session import SessionRunner
from mediawatch_transcoder.settings import TranscoderSettings, load_transcoder_settings
from mediawatch_transcoder.submit import transcode_request
from mediawatch_transcoder.workspace import workspace_for

TOOLS = frozenset({"ffmpeg", "ffprobe"})
SPAWNED: list[list[str]] | None = None
"""While a list, every ffmpeg/ffprobe argv spawned by this process is appended to it."""


class Stopwatch:
    """Wall seconds, and CPU seconds of this process (all its threads, librdkafka's too)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = self._cpu()
        self.wall_seconds = self.cpu_seconds = 0.0

    @staticmethod
    def _cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def stop(self) -> Stopwatch:
        self.wall_seconds = time.perf_counter() - self.wall
        self.cpu_seconds = self._cpu() - self.cpu
        return self


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen" and SPAWNED is not None:
        argv = [os.fsdecode(a) for a in args[1]]
        if argv and os.path.basename(argv[0]) == "setpriv" and "--" in argv:
            # The worker binds its children to itself (setpriv --pdeathsig KILL -- ffmpeg ...):
            # the bare run is the tool's own command.
            argv = argv[argv.index("--") + 1 :]
        if argv and os.path.basename(argv[0]) in TOOLS:
            SPAWNED.append(argv)


sys.addaudithook(_audit)


def make_clips(root: Path, quick: bool) -> list[Path]:
    """Landscape with sound, portrait with sound, landscape without audio (lavfi sources)."""
    long_side, short_side, seconds = (640, 360, 1) if quick else (1280, 720, 8)
    shapes = [(long_side, short_side, True), (short_side, long_side, True)]
    shapes.append((long_side, short_side, False))
    clips = []
    for index, (width, height, audio) in enumerate(shapes):
        path = root / f"clip-{index}.mp4"
        args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=30"]
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] if audio else []
        args += ["-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt"]
        args += ["yuv420p", *(["-c:a", "aac"] if audio else []), "-y", str(path)]
        subprocess.run(args, check=True)
        clips.append(path)
    return clips


def monitored_once(
    settings: TranscoderSettings, clips: list[Path], monitor: MediaMonitor
) -> Stopwatch:
    """Time one session as the worker runs it: stages and samples through the client,
    until Kafka acknowledged every event."""
    who = Producer.current("bench-overhead")
    runner = SessionRunner(
        settings, LocalStorage(settings.storage_dir), StageReporter(monitor), who
    )
    sampler = ResourceSampler(
        monitor.report_resources_sync,
        settings.work_dir,
        lambda: runner.active,
        settings.sample_interval_seconds,
    )
    job = transcode_request(clips, "bench", who, f"bench_overhead_{uuid.uuid4().hex[:10]}")
    sampler.start()
    try:
        watch = Stopwatch()
        result = runner.run(job)
        if not monitor.flush(60).acknowledged:
            raise RuntimeError("bench session's events not acknowledged")
        watch.stop()
    finally:
        sampler.stop()
    if not result.success:
        raise RuntimeError(f"bench session failed: {result.error_code}: {result.error_message}")
    return watch


def record_commands(
    settings: TranscoderSettings, clips: list[Path], session: str
) -> list[list[str]]:
    """Run one warm-up session (not timed); return the ffmpeg/ffprobe argv it spawned."""
    global SPAWNED
    SPAWNED = []
    try:
        who = Producer.current("bench-overhead")
        runner = SessionRunner(settings, LocalStorage(settings.storage_dir), lambda e: None, who)
        result = runner.run(transcode_request(clips, "bench", who, session))
        if not result.success:
            raise RuntimeError(f"bench session failed: {result.error_message}")
        return SPAWNED
    finally:
        SPAWNED = None


def bare_once(
    settings: TranscoderSettings, clips: list[Path], session: str, argv: list[list[str]]
) -> Stopwatch:
    """Time the recorded commands run bare, with the same file work around them."""
    workspace = workspace_for(settings.work_dir, session, 1)
    watch = Stopwatch()
    workspace.mkdir(parents=True)
    for index, clip in enumerate(clips):
        shutil.copyfile(clip, workspace / f"clip-{index}{clip.suffix}")
    normalised = [(workspace / f"norm-{i}.mp4").resolve() for i in range(len(clips))]
    (workspace / "concat.txt").write_text(ffmpeg_args.concat_list(normalised))
    for args in argv:
        # a session of its own, like the worker's children: with the kernel's autogroup
        # scheduling, the session decides the CPU share a child gets on a busy machine
        subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            start_new_session=True,
        )
    store = settings.storage_dir / "bare" / session
    store.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(workspace / "final.mp4", store / "merged.mp4")
    (store / "metadata.json").write_text(json.dumps({"session_id": session, "clips": len(clips)}))
    shutil.rmtree(workspace)
    return watch.stop()


def measure(ctx: Context, root: Path) -> tuple[list[Stopwatch], list[Stopwatch], int, str]:
    """Alternate monitored and bare runs; return both, the command count and the clip size."""
    clips = make_clips(root / "clips", ctx.quick)
    settings = load_transcoder_settings(
        {"TRANSCODER_WORK_DIR": str(root / "work"), "TRANSCODER_STORAGE_DIR": str(root / "store")}
    )
    session = "bench_overhead_bare"
    argv = record_commands(settings, clips, session)
    prefix = f"bench.overhead.{uuid.uuid4().hex[:8]}"
    for suffix in ("pipeline", "resources"):
        ctx.new_topic_named(f"{prefix}.{suffix}", partitions=1)
    security = {k: v for k, v in ctx.connection.items() if k != "bootstrap.servers"}
    config = ClientConfig(bootstrap_servers=ctx.bootstrap, kafka=security, topic_prefix=prefix,
                          producer_name="bench-overhead", spool_dir=root / "spool")  # fmt: skip
    monitor = MediaMonitor(config)
    ctx.defer(monitor.close)
    ours, bare = [], []
    for run in range(ctx.repeats):
        # which one goes first alternates too, so neither always follows the other
        if run % 2:
            bare.append(bare_once(settings, clips, session, argv))
        ours.append(monitored_once(settings, clips, monitor))
        if not run % 2:
            bare.append(bare_once(settings, clips, session, argv))
    about = (
        f"{'640x360 1 s' if ctx.quick else '1280x720 8 s'} x3, ResourceSample every "
        f"{settings.sample_interval_seconds:g} s, psutil child sampling every "
        f"{settings.process_sample_interval_seconds:g} s"
    )
    return ours, bare, len(argv), about


def summarise(ours: list[Stopwatch], bare: list[Stopwatch], runs: str) -> tuple[float, str]:
    """The wall-time overhead in percent (medians) and the notes with the other views."""
    overhead = 100 * (_median_wall(ours) / _median_wall(bare) - 1)
    pairs = zip(ours, bare, strict=True)
    paired = median([100 * (o.wall_seconds / b.wall_seconds - 1) for o, b in pairs])
    fastest = min(w.wall_seconds for w in bare)
    best = 100 * (min(w.wall_seconds for w in ours) / fastest - 1)
    extra_cpu = median([w.cpu_seconds for w in ours]) - median([w.cpu_seconds for w in bare])
    notes = (
        f"wall overhead {overhead:+.2f}% (medians of {runs}; median of paired differences "
        f"{paired:+.2f}%, best against best {best:+.2f}%); extra CPU of the worker process "
        f"{extra_cpu:.3f} s per session = {100 * extra_cpu / fastest:.2f}% of the fastest "
        "bare session"
    )
    return overhead, notes


def _median_wall(watches: list[Stopwatch]) -> float:
    return median([w.wall_seconds for w in watches])


def monitoring_overhead(ctx: Context) -> Figure:
    """Median session wall time with events and sampling vs the same commands bare."""
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        root = Path(tmp)
        (root / "clips").mkdir()
        ours, bare, count, about = measure(ctx, root)
    overhead, notes = summarise(ours, bare, f"{ctx.repeats} alternating runs")
    return Figure(
        name="3-clip session wall time with stage events + resource sampling",
        unit="s",
        ours=_median_wall(ours),
        baseline=_median_wall(bare),
        baseline_name=f"same {count} ffmpeg/ffprobe commands bare",
        target="overhead < 2%",
        met=overhead < 2.0,
        samples={
            "monitored_s": [w.wall_seconds for w in ours],
            "bare_s": [w.wall_seconds for w in bare],
            "monitored_cpu_s": [w.cpu_seconds for w in ours],
            "bare_cpu_s": [w.cpu_seconds for w in bare],
        },
        notes=f"{notes}; clips {about}",
    )
