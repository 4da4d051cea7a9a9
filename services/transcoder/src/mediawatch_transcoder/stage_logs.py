"""The transcoder's log records: one per stage, and a warning for each slow run.

Every stage ends with an INFO ``stage completed`` or ERROR ``stage failed`` record of the
``mediawatch_transcoder.session`` logger; a slow stage or ffmpeg run adds a WARNING of
``mediawatch.performance.transcoder`` (``docs/logs.md``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediawatch_common.events import ErrorCode, Stage, TranscodeRequested
from mediawatch_transcoder.child_process import RunResult

log = logging.getLogger("mediawatch_transcoder.session")
perf = logging.getLogger("mediawatch.performance.transcoder")


@dataclass(frozen=True, slots=True)
class SlowLimits:
    """When an operation is slow enough for performance.log."""

    stage_seconds: float = 300.0
    """MONITORING_PROCESSING_TIME_THRESHOLD."""
    ffmpeg_share: float = 0.5
    """MONITORING_FFMPEG_SLOW_SHARE: share of the stage limit one ffmpeg run may take."""

    @property
    def ffmpeg_seconds(self) -> float:
        """Seconds past which one ffmpeg or ffprobe run is slow."""
        return self.stage_seconds * self.ffmpeg_share


def stage_extra(
    job: TranscodeRequested,
    stage: Stage,
    attempt: int,
    seconds: float,
    code: ErrorCode | None,
    message: str | None,
) -> dict[str, Any]:
    """The ``extra`` of a stage's record."""
    return {
        "event_type": "processing",
        "session_id": job.session_id,
        "user_id": job.user_id,
        "stage": stage.label,
        "attempt": attempt,
        "success": code is None,
        "duration_seconds": round(seconds, 3),
        "file_size_bytes": sum(c.size_bytes for c in job.inputs),
        "video_count": len(job.inputs),
        "error_code": code.value if code else None,
        "error_message": message,
    }


def log_stage(
    extra: dict[str, Any], limits: SlowLimits, failure: BaseException | None = None
) -> None:
    """One record for the stage that just ended; a second one when it was slow.

    ``failure`` carries the traceback into the record of an internal error.
    """
    if extra["error_code"] is None:
        log.info("stage completed", extra=extra)
    else:
        exc_info = (type(failure), failure, failure.__traceback__) if failure else None
        log.error("stage failed: %s", extra["error_message"], exc_info=exc_info, extra=extra)
    if extra["duration_seconds"] > limits.stage_seconds:
        perf.warning(
            "slow stage",
            extra={**extra, "event_type": "performance", "threshold_seconds": limits.stage_seconds},
        )


def log_slow_run(
    args: Sequence[str], result: RunResult, limits: SlowLimits, where: dict[str, Any]
) -> None:
    """A WARNING when one child process (ffmpeg, ffprobe) ran past its share of the limit."""
    if result.wall_seconds <= limits.ffmpeg_seconds:
        return
    perf.warning(
        "slow %s run",
        os.path.basename(args[0]),
        extra={
            **where,
            "event_type": "performance",
            "program": os.path.basename(args[0]),
            "duration_seconds": round(result.wall_seconds, 3),
            "cpu_seconds": round(result.cpu_seconds, 3),
            "peak_memory_mb": round(result.peak_rss_mb, 1),
            "returncode": result.returncode,
            "threshold_seconds": limits.ffmpeg_seconds,
        },
    )
