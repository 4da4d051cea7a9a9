"""Health reporter: CPU seconds of one full run of its checks, against ffmpeg's work alone.

The reporter's own checks (``host_checks``: resources, ffmpeg encode and decode, a storage
probe in a temporary local backend, temp directory, log files, consumer lag on the shared
broker) run ``repeats`` times in this process; each run's cost is the CPU time of this process
plus that of the ffmpeg children it waited for (``getrusage``). The baseline is the ffmpeg
check alone: the same one-second encode and decode, so the difference is what the rest of the
checks and the runner add. The reporter runs once per ``HEALTH_CHECK_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from bench.model import Context, Figure, median
from mediawatch_common.health import CheckRunner, HealthReport, check_ffmpeg
from mediawatch_common.kafka import declare_topics
from mediawatch_common.settings import load_group, load_settings
from mediawatch_common.storage import StorageSettings
from mediawatch_health_reporter import RunCost, host_checks

DEFAULT_INTERVAL = 300.0


def _cost(run: RunCost) -> float:
    return run.own_cpu_seconds + run.children_cpu_seconds


def health_check_cpu(ctx: Context) -> Figure:
    """CPU seconds per full health run (this process and its ffmpeg), ffmpeg alone beside."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "logs").mkdir()
        settings = load_settings(
            {
                **ctx.service_env(),
                "KAFKA_TOPIC_PREFIX": f"bench.health{uuid.uuid4().hex[:8]}",
                "LOG_DIR": str(work / "logs"),
                "HEALTH_CHECK_TEMP_DIR": str(work / "tmp"),
            }
        )
        storage = load_group(StorageSettings, {"TRANSCODER_STORAGE_DIR": str(work / "store")})
        topics = declare_topics(settings.kafka.topic_prefix)
        runner = CheckRunner(host_checks(settings, storage, topics), settings.health.timeout)
        bare = CheckRunner({"ffmpeg": lambda: check_ffmpeg("ffmpeg", 10.0)}, 10.0)
        full: list[float] = []
        own: list[float] = []
        alone: list[float] = []
        reports: list[HealthReport] = []
        try:
            for _ in range(ctx.repeats):
                report, cost = RunCost.measure(runner.run)
                reports.append(report)
                full.append(_cost(cost))
                own.append(cost.own_cpu_seconds)
                alone.append(_cost(RunCost.measure(bare.run)[1]))
        finally:
            runner.close()
            bare.close()
    ours, base = median(full), median(alone)
    failing = sorted({r.component for rep in reports for r in rep.results if r.status != "healthy"})
    return Figure(
        name="health reporter CPU per run (all checks)",
        unit="CPU s",
        ours=ours,
        baseline=base,
        baseline_name="the ffmpeg encode and decode alone",
        target="≤ 1 % of a core at the 300 s default (3 CPU s)",
        met=ours <= 0.01 * DEFAULT_INTERVAL,
        samples={"ours_cpu_s": full, "own_cpu_s": own, "ffmpeg_alone_cpu_s": alone},
        notes=f"{ctx.repeats} runs; reporter process itself {median(own):.3f} CPU s per run "
        f"(the rest is ffmpeg); {ours / DEFAULT_INTERVAL:.3%} of one core at the default "
        f"interval; checks not healthy during the runs: {', '.join(failing) or 'none'}",
    )
