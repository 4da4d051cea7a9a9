"""Run one attempt of a session through the stages, emitting a Started/Completed pair each."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mediawatch_common.events import (
    ErrorCode,
    Event,
    Producer,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    utc_now,
)
from mediawatch_common.storage import Storage
from mediawatch_transcoder.errors import SessionAbandonedError, classify
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.stage_logs import SlowLimits, log_stage, stage_extra
from mediawatch_transcoder.stages import (
    CLEANUP,
    PIPELINE,
    SessionState,
    StageContext,
    StageFunction,
)
from mediawatch_transcoder.workspace import remove_stale, workspace_for

Emit = Callable[[Event], None]


@dataclass(slots=True)
class SessionResult:
    """How an attempt ended."""

    session_id: str
    attempt: int
    success: bool = True
    failed_stage: Stage | None = None
    error_code: ErrorCode | None = None
    error_message: str | None = None
    abandoned: bool = False
    state: SessionState = field(default_factory=SessionState)


@dataclass(slots=True)
class SessionRunner:
    """Runs sessions; ``emit`` receives every StageStarted/StageCompleted in order."""

    settings: TranscoderSettings
    storage: Storage
    emit: Emit
    producer: Producer
    stop: threading.Event = field(default_factory=threading.Event)
    active: int = 0
    slow: SlowLimits = field(default_factory=SlowLimits)
    _count_lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, job: TranscodeRequested, attempt: int = 1) -> SessionResult:
        """Run every stage until one fails, then CLEANUP; never raises for a bad input."""
        root = self.settings.work_dir
        remove_stale(root, job.session_id)
        workspace = workspace_for(root, job.session_id, attempt)
        workspace.mkdir(parents=True, exist_ok=True)
        result = SessionResult(job.session_id, attempt)
        self._count(1)
        try:
            for stage, function in PIPELINE:
                if not self._stage(job, stage, function, workspace, result):
                    break
            self._stage(job, Stage.CLEANUP, CLEANUP, workspace, result)
        finally:
            self._count(-1)
        return result

    def _count(self, change: int) -> None:
        with self._count_lock:
            self.active += change

    def _stage(
        self,
        job: TranscodeRequested,
        stage: Stage,
        function: StageFunction,
        workspace: Path,
        result: SessionResult,
    ) -> bool:
        started_at = utc_now()
        begin = time.monotonic()
        count, size = len(job.inputs), sum(c.size_bytes for c in job.inputs)
        self.emit(self._started(job, stage, result.attempt, count, size))
        ctx = StageContext(
            job=job,
            attempt=result.attempt,
            settings=self.settings,
            storage=self.storage,
            workspace=workspace,
            deadline=begin + self.settings.timeout(stage),
            stop=self.stop,
            stage=stage,
            slow=self.slow,
        )
        code: ErrorCode | None = None
        message: str | None = None
        failure: BaseException | None = None
        report = None
        try:
            if self.stop.is_set() and stage is not Stage.CLEANUP:
                raise SessionAbandonedError("worker stopping: session abandoned before the stage")
            report = function(ctx, result.state)
        except Exception as exc:
            code, message = classify(exc)
            # The traceback matters only when the failure is ours, not the input's.
            failure = exc if code is ErrorCode.INTERNAL_ERROR else None
        seconds = time.monotonic() - begin
        self.emit(
            StageCompleted(
                producer=self.producer,
                session_id=job.session_id,
                user_id=job.user_id,
                stage=stage,
                attempt=result.attempt,
                started_at=started_at,
                success=code is None,
                duration_seconds=round(seconds, 6),
                error_code=code,
                error_message=message,
                input_size_bytes=report.input_size_bytes if report else None,
                output_size_bytes=report.output_size_bytes if report else None,
                video_count=report.video_count if report else count,
                peak_memory_mb=round(ctx.usage.peak_rss_mb, 2) if ctx.usage.runs else None,
                cpu_percent=ctx.usage.cpu_percent,
            )
        )
        extra = stage_extra(job, stage, result.attempt, seconds, code, message)
        log_stage(extra, self.slow, failure)
        if code is not None and result.success:
            result.success = False
            result.failed_stage, result.error_code, result.error_message = stage, code, message
            result.abandoned = code is ErrorCode.WORKER_LOST
        return code is None

    def _started(
        self, job: TranscodeRequested, stage: Stage, attempt: int, count: int, size: int
    ) -> StageStarted:
        return StageStarted(
            producer=self.producer,
            session_id=job.session_id,
            user_id=job.user_id,
            stage=stage,
            attempt=attempt,
            video_count=count,
            total_size_bytes=size,
        )
