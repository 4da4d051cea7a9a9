"""Helpers shared by the stages that produce files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.probe import parse_probe, probe_command
from mediawatch_transcoder.stages.context import StageContext


def size_of(paths: Iterable[Path]) -> int:
    """Total size of existing files."""
    return sum(p.stat().st_size for p in paths if p.exists())


def duration_of(ctx: StageContext, path: Path) -> float:
    """Container duration of a file the stage just wrote.

    Raises:
        StageError: FFMPEG_FAILED when the output is missing or has no duration.
    """
    if not path.exists() or path.stat().st_size == 0:
        raise StageError(ErrorCode.FFMPEG_FAILED, f"ffmpeg wrote no {path.name}")
    result = ctx.run(probe_command(path), ErrorCode.FFPROBE_FAILED)
    duration = parse_probe(result.stdout).get("format", {}).get("duration")
    try:
        value = float(duration)
    except (TypeError, ValueError):
        raise StageError(ErrorCode.FFMPEG_FAILED, f"{path.name} has no duration") from None
    if value <= 0:
        raise StageError(ErrorCode.FFMPEG_FAILED, f"{path.name} is empty")
    return value
