"""MERGING: concatenate the normalised clips in order and compute each clip's segment."""

from __future__ import annotations

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder import ffmpeg_args
from mediawatch_transcoder.plan import segments
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.stages.measure import duration_of, size_of


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Write ``merged.mp4`` (stream copy) and ``state.segments``."""
    listing = ctx.workspace / "concat.txt"
    listing.write_text(ffmpeg_args.concat_list([p.resolve() for p in state.normalised]))
    merged = ctx.workspace / "merged.mp4"
    ctx.run(ffmpeg_args.merge(listing, merged), ErrorCode.FFMPEG_FAILED)
    duration_of(ctx, merged)
    state.merged = merged
    state.segments = segments(state.durations)
    return StageReport(
        input_size_bytes=size_of(state.normalised),
        output_size_bytes=size_of([merged]),
        video_count=len(state.normalised),
    )
