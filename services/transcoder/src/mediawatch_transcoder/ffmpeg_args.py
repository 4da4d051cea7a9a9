"""The ffmpeg command lines of the pipeline, built with ffmpeg-python (run elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ffmpeg

from mediawatch_transcoder.plan import Quality, Target, double_rate, video_filters
from mediawatch_transcoder.probe import ClipInfo

GLOBAL = ("-hide_banner", "-nostdin", "-v", "error")


def _compile(stream: Any) -> list[str]:
    args: list[str] = stream.global_args(*GLOBAL).overwrite_output().compile()
    return args


def normalise(
    src: Path, dst: Path, target: Target, clip: ClipInfo, crf: int, preset: str
) -> list[str]:
    """Re-encode one clip into ``target`` (H.264/AAC stereo).

    The audio is padded with silence (or is all silence when the clip has none) and cut to
    the video's duration, so that both streams end together and concatenated segments stay
    aligned.
    """
    source = ffmpeg.input(str(src))
    video = source.video
    for name, kwargs in video_filters(target):
        video = video.filter(name, **kwargs)
    if clip.has_audio:
        audio = source.audio
    else:
        audio = ffmpeg.input(
            f"anullsrc=channel_layout=stereo:sample_rate={target.audio_rate}", f="lavfi"
        ).audio
    audio = audio.filter("aresample", target.audio_rate).filter(
        "aformat", sample_fmts="fltp", channel_layouts="stereo"
    )
    length = f"{clip.video_duration:.6f}"
    audio = audio.filter("apad", whole_dur=length).filter("atrim", end=length)
    out = ffmpeg.output(
        video,
        audio,
        str(dst),
        vcodec="libx264",
        crf=crf,
        preset=preset,
        acodec="aac",
        ar=target.audio_rate,
        ac=2,
        video_track_timescale=90000,
        map_metadata=-1,
        movflags="+faststart",
    )
    return _compile(out)


def concat_list(clips: Sequence[Path]) -> str:
    """The concat demuxer's list file for ``clips`` (names quoted for the demuxer)."""
    lines = []
    for clip in clips:
        quoted = str(clip).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def merge(list_file: Path, dst: Path) -> list[str]:
    """Concatenate identically encoded clips without re-encoding."""
    out = ffmpeg.input(str(list_file), f="concat", safe=0).output(
        str(dst), c="copy", movflags="+faststart"
    )
    return _compile(out)


def compress(src: Path, dst: Path, q: Quality) -> list[str]:
    """The final encode with the configured quality."""
    kwargs: dict[str, Any] = {
        "vcodec": "libx264",
        "crf": q.crf,
        "preset": q.preset,
        "pix_fmt": "yuv420p",
        "acodec": "aac",
        "audio_bitrate": q.audio_bitrate,
        "movflags": "+faststart",
    }
    if q.max_bitrate:
        kwargs |= {"maxrate": q.max_bitrate, "bufsize": double_rate(q.max_bitrate)}
    return _compile(ffmpeg.input(str(src)).output(str(dst), **kwargs))
