"""ANALYSIS: ffprobe every clip for duration, size, rotation, codecs, frame rate, bitrate."""

from __future__ import annotations

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.probe import clip_info, parse_probe, probe_command
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Fill ``state.infos``, one :class:`ClipInfo` per ingested clip."""
    total = 0
    for index, path in enumerate(state.clips):
        result = ctx.run(probe_command(path), ErrorCode.FFPROBE_FAILED)
        try:
            state.infos.append(clip_info(parse_probe(result.stdout)))
        except StageError as exc:
            name = ctx.job.inputs[index].filename
            raise StageError(exc.code, f"clip {index} {name!r}: {exc.message}") from None
        total += path.stat().st_size
    return StageReport(input_size_bytes=total, video_count=len(state.infos))
