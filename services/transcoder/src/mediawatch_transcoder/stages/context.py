"""What a stage gets (its context) and what it leaves for the next ones (the session state)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from mediawatch_common.events import ErrorCode, Stage, TranscodeRequested
from mediawatch_common.storage import Storage
from mediawatch_transcoder.child_process import Limits, RunResult, run
from mediawatch_transcoder.plan import Segment, Target
from mediawatch_transcoder.probe import ClipInfo
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.stage_logs import SlowLimits, log_slow_run


@dataclass(slots=True)
class Usage:
    """Resources the stage's child processes used, summed over the stage."""

    runs: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_rss_mb: float = 0.0

    def add(self, result: RunResult) -> None:
        """Account for one finished child."""
        self.runs += 1
        self.cpu_seconds += result.cpu_seconds
        self.wall_seconds += result.wall_seconds
        self.peak_rss_mb = max(self.peak_rss_mb, result.peak_rss_mb)

    @property
    def cpu_percent(self) -> float | None:
        """Average CPU of the children in percent of one core, while they ran."""
        if not self.runs or self.wall_seconds <= 0:
            return None
        return round(100 * self.cpu_seconds / self.wall_seconds, 1)


@dataclass(frozen=True, slots=True)
class StageReport:
    """Sizes and counts a successful stage reports in its StageCompleted."""

    input_size_bytes: int | None = None
    output_size_bytes: int | None = None
    video_count: int | None = None


@dataclass(slots=True)
class StageContext:
    """One stage attempt: the job, where to work, its deadline, and its measurements."""

    job: TranscodeRequested
    attempt: int
    settings: TranscoderSettings
    storage: Storage
    workspace: Path
    deadline: float
    stop: threading.Event
    usage: Usage = field(default_factory=Usage)
    stage: Stage | None = None
    slow: SlowLimits = field(default_factory=SlowLimits)

    def run(self, args: list[str], error_code: ErrorCode) -> RunResult:
        """Run a child under this stage's deadline; its usage is added to the stage's."""
        limits = Limits(
            deadline=self.deadline,
            stop=self.stop,
            grace_seconds=self.settings.stop_grace_seconds,
            sample_interval=self.settings.process_sample_interval_seconds,
        )
        return run(args, limits, error_code, record=lambda result: self._record(args, result))

    def _record(self, args: list[str], result: RunResult) -> None:
        self.usage.add(result)
        where = {"session_id": self.job.session_id, "user_id": self.job.user_id,
                 "stage": self.stage.label if self.stage else None}  # fmt: skip
        log_slow_run(args, result, self.slow, where)


@dataclass(slots=True)
class SessionState:
    """What the stages found and produced so far, in pipeline order."""

    clips: list[Path] = field(default_factory=list)
    infos: list[ClipInfo] = field(default_factory=list)
    target: Target | None = None
    normalised: list[Path] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    merged: Path | None = None
    final: Path | None = None
    final_duration: float | None = None
    stored: dict[str, str] = field(default_factory=dict)
