"""UPLOAD: validate each input and copy it into the session workspace under a safe name."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

from mediawatch_common.events import ClipInput, ErrorCode
from mediawatch_common.storage import S3Storage, StorageError
from mediawatch_transcoder.completeness import (
    check_complete,
    decoded_end,
    promised_end,
    tail_command,
)
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.plan import Quality, quality
from mediawatch_transcoder.probe import PROBE_ARGS, clip_info, parse_probe
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.workspace import safe_suffix


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Ingest every clip; the first bad one fails the stage, naming it."""
    clips = ctx.job.inputs
    limits = ctx.settings
    if not clips:
        raise StageError(ErrorCode.VALIDATION_FAILED, "the session has no clips")
    if len(clips) > limits.max_clips:
        raise StageError(ErrorCode.VALIDATION_FAILED, f"{len(clips)} clips > {limits.max_clips}")
    defaults = Quality(limits.crf, limits.preset, limits.max_bitrate, limits.audio_bitrate)
    quality(defaults, ctx.job.options)
    total = 0
    for index, clip in enumerate(clips):
        target = ctx.workspace / f"clip-{index}{safe_suffix(clip.filename)}"
        try:
            total += _ingest(ctx, clip, target, total)
        except StageError as exc:
            raise StageError(exc.code, f"clip {index} {clip.filename!r}: {exc.message}") from None
        state.clips.append(target)
    return StageReport(input_size_bytes=total, output_size_bytes=total, video_count=len(clips))


def _ingest(ctx: StageContext, clip: ClipInput, target: Path, so_far: int) -> int:
    try:
        if isinstance(ctx.storage, S3Storage) and urlparse(clip.uri).scheme == "s3":
            _check_bytes(ctx, ctx.storage.size(clip.uri), so_far)  # before downloading it
        fetched = ctx.storage.fetch(clip.uri, target)
    except (StorageError, ValueError) as exc:
        raise StageError(ErrorCode.VALIDATION_FAILED, str(exc)) from None
    if not fetched:
        source = local_path(clip.uri)
        _check_size(ctx, source, so_far)
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            raise StageError(ErrorCode.VALIDATION_FAILED, f"cannot read: {exc.strerror}") from None
    size = _check_size(ctx, target, so_far)
    _validate_media(ctx, target)
    return size


def local_path(uri: str) -> Path:
    """The path of a ``file://`` URI or of a plain path."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme in ("", None) or len(parsed.scheme) == 1:
        return Path(uri)
    if parsed.scheme == "s3":
        raise StageError(
            ErrorCode.VALIDATION_FAILED,
            "s3:// inputs are read by workers with TRANSCODER_STORAGE_BACKEND=s3",
        )
    raise StageError(ErrorCode.VALIDATION_FAILED, f"unsupported URI scheme {parsed.scheme!r}")


def _check_size(ctx: StageContext, path: Path, so_far: int) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise StageError(ErrorCode.VALIDATION_FAILED, f"cannot read: {exc.strerror}") from None
    return _check_bytes(ctx, size, so_far)


def _check_bytes(ctx: StageContext, size: int, so_far: int) -> int:
    if size == 0:
        raise StageError(ErrorCode.VALIDATION_FAILED, "empty file (0 bytes)")
    if size > ctx.settings.max_clip_bytes:
        raise StageError(
            ErrorCode.FILE_TOO_LARGE, f"{size} bytes > limit {ctx.settings.max_clip_bytes}"
        )
    if so_far + size > ctx.settings.max_session_bytes:
        raise StageError(
            ErrorCode.FILE_TOO_LARGE,
            f"session exceeds {ctx.settings.max_session_bytes} bytes",
        )
    return size


def _validate_media(ctx: StageContext, path: Path) -> None:
    """A readable container with a video stream of known duration and size, not cut short."""
    entries = (
        "format=format_name,duration:stream=codec_type,width,height,duration,start_time"
        ":stream_tags=DURATION:disposition"
    )
    args = ["ffprobe", *PROBE_ARGS, "-show_entries", entries, str(path)]
    result = ctx.run(args, ErrorCode.VALIDATION_FAILED)
    probe = parse_probe(result.stdout)
    try:
        clip_info(probe)
    except StageError as exc:
        code = exc.code if exc.code is ErrorCode.NO_VIDEO_STREAM else ErrorCode.VALIDATION_FAILED
        raise StageError(code, f"not a usable video: {exc.message}") from None
    end = promised_end(probe)
    if end is not None:
        tail = ctx.run(tail_command(path, end), ErrorCode.VALIDATION_FAILED)
        check_complete(end, decoded_end(parse_probe(tail.stdout)))
