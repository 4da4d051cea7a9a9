"""Is a clip whole? A file cut short whose index (an MP4 ``moov`` atom) sits at the front
probes like the complete file: the index promises every frame, the data behind it is gone.

UPLOAD therefore decodes the last second of the video stream and compares where the decodable
video really ends with where the index says it ends (pure parsing here; the stage runs it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.probe import PROBE_ARGS, streams_of

TAIL_SECONDS = 1.0
"""How much of the end is decoded (from the keyframe before it)."""
MIN_GAP_SECONDS = 0.3
"""Missing video beyond this (or two frame durations, if longer) means the file is cut."""

_CLOCK = re.compile(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


def _seconds(value: object) -> float | None:
    if value in (None, "", "N/A"):
        return None
    text = str(value)
    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        return float(text)
    except ValueError:
        return None


def promised_end(probe: Mapping[str, Any]) -> float | None:
    """Where the first video stream ends according to the container, in stream seconds.

    Only the stream's own length counts (its ``duration``, or the Matroska ``DURATION``
    tag): the container's duration may include a longer audio track. None when unknown.
    """
    videos = streams_of(probe, "video")
    if not videos:
        return None
    video = videos[0]
    start = _seconds(video.get("start_time")) or 0.0
    duration = _seconds(video.get("duration"))
    if duration is not None:
        return start + duration
    return _seconds(video.get("tags", {}).get("DURATION"))


def tail_command(path: Path, end: float) -> list[str]:
    """ffprobe decoding the first video stream's frames from ``end - TAIL_SECONDS`` on."""
    start = max(0.0, end - TAIL_SECONDS)
    entries = "frame=best_effort_timestamp_time,duration_time,pkt_duration_time"
    return [
        "ffprobe",
        *PROBE_ARGS,
        "-select_streams",
        "v:0",
        "-read_intervals",
        f"{start:.3f}%",
        "-show_entries",
        entries,
        str(path),
    ]


def decoded_end(frames: Mapping[str, Any]) -> tuple[float, float] | None:
    """End of the last decoded frame and the longest frame duration; None if none decoded."""
    end, longest = None, 0.0
    for frame in frames.get("frames", []):
        at = _seconds(frame.get("best_effort_timestamp_time"))
        if at is None:
            continue
        length = _seconds(frame.get("duration_time") or frame.get("pkt_duration_time")) or 0.0
        end = max(end or 0.0, at + length)
        longest = max(longest, length)
    return None if end is None else (end, longest)


def check_complete(promised: float, decoded: tuple[float, float] | None) -> None:
    """Raise VALIDATION_FAILED when the decodable video stops short of ``promised``."""
    if decoded is None:
        raise StageError(
            ErrorCode.VALIDATION_FAILED,
            f"truncated: no decodable video in the last {TAIL_SECONDS:g} s of {promised:.2f} s",
        )
    end, frame = decoded
    if promised - end > max(MIN_GAP_SECONDS, 2 * frame):
        raise StageError(
            ErrorCode.VALIDATION_FAILED,
            f"truncated: decodable video ends at {end:.2f} s of {promised:.2f} s",
        )
