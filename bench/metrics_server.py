"""A process serving a transcoder's metrics registry, filled as after a day of sessions.

``python -m bench.metrics_server PORT realistic`` (or ``empty``: the HTTP server with an empty
registry) serves until killed; :mod:`bench.figures.scrape` scrapes it and reads its CPU time.
The realistic registry records a stage completion at the start of each scrape, so that every
scrape writes the stage histogram again.
"""

from __future__ import annotations

import random
import sys
import threading
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector, Metric

from mediawatch_common.events import ErrorCode, Producer, Stage, StageCompleted
from mediawatch_common.metrics import ConsumerLag, DeadLetterCounter, PartitionLag, serve_metrics
from mediawatch_common.metrics.histogram import HistogramChild
from mediawatch_common.settings import MetricsSettings
from mediawatch_transcoder.metrics import TranscoderMetrics

CODES = (
    *(None, None, None),
    *(ErrorCode.FFMPEG_FAILED, ErrorCode.TIMEOUT_ERROR, ErrorCode.VALIDATION_FAILED),
    *(ErrorCode.STORAGE_UPLOAD_FAILED, ErrorCode.WORKER_LOST),
)


def realistic(registry: CollectorRegistry, sessions: int = 2000) -> TranscoderMetrics:
    """Every transcoder metric with the label values a day of varied sessions leaves, the
    process and Python collectors, consumer lag of 2 groups on 12 partitions, dead letters."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    metrics = TranscoderMetrics(registry)
    metrics.count_jobs(lambda: 1)
    who = Producer(service="transcoder", host="bench", pid=1)
    pick = random.Random(7)  # noqa: S311 - varied durations, not secrets
    for n in range(sessions):
        for stage in Stage:
            code = pick.choice(CODES) if stage is not Stage.CLEANUP else None
            metrics.observe(StageCompleted(
                producer=who, session_id=f"s{n}", user_id="u", stage=stage,
                started_at=datetime.now(UTC), success=code is None,
                duration_seconds=pick.lognormvariate(2, 1.5), error_code=code,
                peak_memory_mb=pick.uniform(50, 900)))  # fmt: skip
            if code is not None:
                metrics.observe(StageCompleted(
                    producer=who, session_id=f"s{n}", user_id="u", stage=Stage.CLEANUP,
                    started_at=datetime.now(UTC), success=True, duration_seconds=0.1))  # fmt: skip
                break
    lag = ConsumerLag()
    registry.register(lag)
    parts = [PartitionLag(g, "mediawatch.jobs", p, p) for g in ("tx", "tx-2") for p in range(12)]
    lag.track(lambda: parts)
    dead = DeadLetterCounter(registry)
    for reason in ("DecodeError: x", "KeyError: y", "ValueError: z"):
        dead.count("mediawatch.jobs", reason)
    return metrics


class ChangeEachScrape(Collector):
    """Records one stage completion at the start of every scrape (registered first), so that
    no scrape finds the stage histogram unchanged, as on a busy worker scraped every 5 s."""

    def __init__(self) -> None:
        self.child: HistogramChild | None = None

    def collect(self) -> list[Metric]:
        if self.child is not None:
            self.child.observe(4.2)
        return []


def main() -> None:
    port, kind = int(sys.argv[1]), sys.argv[2]
    registry = CollectorRegistry()
    if kind == "realistic":
        change = ChangeEachScrape()
        registry.register(change)
        change.child = realistic(registry).stage_duration.labels("merging", "success")
    serve_metrics("transcoder", MetricsSettings(port=port), registry)
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
