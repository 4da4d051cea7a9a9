"""The ffmpeg and ffprobe runs of the pipeline, as coroutines."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any


class FfmpegError(Exception):
    """ffmpeg or ffprobe exited non-zero; ``error_code`` tells the monitor which."""

    def __init__(self, program: str, stderr: str) -> None:
        super().__init__(f"{program} failed: {stderr.strip().splitlines()[-1:] or ['']}")
        self.error_code = "FFPROBE_FAILED" if program == "ffprobe" else "FFMPEG_FAILED"


async def run(program: str, *args: str) -> str:
    """Run ``program`` with ``args``; its stdout, or :class:`FfmpegError`."""
    process = await asyncio.create_subprocess_exec(
        program, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise FfmpegError(program, err.decode(errors="replace"))
    return out.decode(errors="replace")


async def probe(path: Path) -> dict[str, Any]:
    """ffprobe's description of ``path``: its format and streams."""
    out = await run(
        "ffprobe",
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    )
    info: dict[str, Any] = json.loads(out)
    return info


async def normalise(source: Path, target: Path) -> Path:
    """One codec, size and frame rate for every clip, so that they concatenate."""
    await run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(source),
        "-vf",
        "scale=320:240:force_original_aspect_ratio=decrease,pad=320:240:-1:-1,fps=25",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        str(target),
    )
    return target


async def concatenate(parts: list[Path], list_file: Path, target: Path) -> Path:
    """Join normalised clips without re-encoding."""
    list_file.write_text("".join(f"file '{p.resolve()}'\n" for p in parts))
    await run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(list_file),
        "-c",
        "copy",
        str(target),
    )
    return target


async def compress(source: Path, target: Path) -> Path:
    """The delivery encoding."""
    await run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(source),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "30",
        str(target),
    )
    return target
