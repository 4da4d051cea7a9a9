"""COMPRESSION: encode the merged video with the configured (or requested) quality."""

from __future__ import annotations

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder import ffmpeg_args
from mediawatch_transcoder.plan import Quality, quality
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.stages.measure import duration_of, size_of


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Write ``final.mp4`` and record its duration."""
    assert state.merged is not None, "MERGING runs first"
    s = ctx.settings
    q = quality(Quality(s.crf, s.preset, s.max_bitrate, s.audio_bitrate), ctx.job.options)
    final = ctx.workspace / "final.mp4"
    ctx.run(ffmpeg_args.compress(state.merged, final, q), ErrorCode.FFMPEG_FAILED)
    state.final_duration = duration_of(ctx, final)
    state.final = final
    return StageReport(
        input_size_bytes=size_of([state.merged]),
        output_size_bytes=size_of([final]),
        video_count=len(state.segments),
    )
