"""PREPARATION: normalise every clip to one size, frame rate, pixel format and audio layout."""

from __future__ import annotations

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder import ffmpeg_args
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.plan import choose_target
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.stages.measure import duration_of, size_of


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Write ``norm-<i>.mp4`` per clip (rotation applied, silence added where needed)."""
    s = ctx.settings
    target = choose_target(state.infos, s.target_long_side, s.max_fps, s.audio_rate)
    state.target = target
    for index, (path, info) in enumerate(zip(state.clips, state.infos, strict=True)):
        out = ctx.workspace / f"norm-{index}.mp4"
        args = ffmpeg_args.normalise(path, out, target, info, s.prep_crf, s.prep_preset)
        try:
            ctx.run(args, ErrorCode.FFMPEG_FAILED)
            state.durations.append(duration_of(ctx, out))
        except StageError as exc:
            name = ctx.job.inputs[index].filename
            raise StageError(exc.code, f"clip {index} {name!r}: {exc.message}") from None
        state.normalised.append(out)
    return StageReport(
        input_size_bytes=size_of(state.clips),
        output_size_bytes=size_of(state.normalised),
        video_count=len(state.normalised),
    )
