"""The transcoder's Prometheus metrics, read off the events it emits.

Every StageCompleted the worker emits passes through :meth:`TranscoderMetrics.observe`, so the
metrics say exactly what the event log says. Labels come from the contract's enums only:
``stage`` (lower-case stage name), ``outcome`` (``success``/``failure``) and ``error_code``
(an ``ErrorCode`` value, ``none`` on success); never a session or user id.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

from mediawatch_common.events import Event, Stage, StageCompleted
from mediawatch_common.metrics import LabelledHistogram
from mediawatch_transcoder.session import SessionRunner

STAGE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800)
"""Seconds: stages take from a tenth of a second (ANALYSIS of a clip) to the 30-minute
timeout (COMPRESSION of long clips); 300 is the slow-stage threshold."""

OUTCOMES = ("success", "failure")
MB = 1024 * 1024

Emit = Callable[[Event], None]


def outcome(event: StageCompleted) -> str:
    """``success`` or ``failure``."""
    return OUTCOMES[0] if event.success else OUTCOMES[1]


def error_label(event: StageCompleted) -> str:
    """The error code's value, ``none`` for a success."""
    return event.error_code.value if event.error_code is not None else "none"


class TranscoderMetrics:
    """Stage and session outcomes, stage durations, ffmpeg memory and jobs in flight."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        # Most of the transcoder's series, changing a few times a minute: written on change.
        self.stage_duration = LabelledHistogram(
            "mediawatch_stage_duration_seconds",
            "Duration of a pipeline stage, by stage and outcome.",
            ["stage", "outcome"],
            STAGE_BUCKETS,
            registry,
        )
        self.stages = Counter(
            "mediawatch_stages",
            "Stages completed, by stage, outcome and error code.",
            ["stage", "outcome", "error_code"],
            registry=registry,
        )
        self.sessions = Counter(
            "mediawatch_sessions",
            "Session attempts finished, by outcome and the error code of the failed stage.",
            ["outcome", "error_code"],
            registry=registry,
        )
        self.ffmpeg_peak_memory = Gauge(
            "mediawatch_ffmpeg_peak_memory_bytes",
            "Peak resident memory of the ffmpeg runs of the last stage that ran ffmpeg.",
            ["stage"],
            registry=registry,
        )
        self.jobs_in_flight = Gauge(
            "mediawatch_transcoder_jobs_in_flight",
            "Sessions this worker is running now.",
            registry=registry,
        )
        for stage in Stage:
            for each in OUTCOMES:
                self.stage_duration.labels(stage.label, each)
        self._first_failure: dict[tuple[str, int], str] = {}

    def observe(self, event: Event) -> None:
        """Count a StageCompleted; the CLEANUP that ends an attempt also ends its session."""
        if not isinstance(event, StageCompleted):
            return
        stage, result, code = event.stage.label, outcome(event), error_label(event)
        self.stage_duration.labels(stage, result).observe(event.duration_seconds)
        self.stages.labels(stage, result, code).inc()
        if event.peak_memory_mb is not None:
            self.ffmpeg_peak_memory.labels(stage).set(event.peak_memory_mb * MB)
        attempt = (event.session_id, event.attempt)
        if not event.success:
            self._first_failure.setdefault(attempt, code)
        if event.stage is Stage.CLEANUP:
            failed = self._first_failure.pop(attempt, None)
            session_code = failed or ("none" if event.success else code)
            self.sessions.labels("success" if session_code == "none" else "failure",
                                 session_code).inc()  # fmt: skip

    def observing(self, emit: Emit) -> Emit:
        """``emit`` that also feeds these metrics (after the event was queued)."""

        def emit_and_observe(event: Event) -> None:
            emit(event)
            self.observe(event)

        return emit_and_observe

    def count_jobs(self, active: Callable[[], int]) -> None:
        """Report ``active()`` as the jobs in flight at each scrape."""
        self.jobs_in_flight.set_function(lambda: float(active()))


def instrument(runner: SessionRunner, metrics: TranscoderMetrics) -> None:
    """Feed ``metrics`` from every event ``runner`` emits, and from its running sessions."""
    runner.emit = metrics.observing(runner.emit)
    metrics.count_jobs(lambda: runner.active)
