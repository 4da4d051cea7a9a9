"""ffprobe's JSON turned into what the stages need to know about a clip (pure parsing)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError

PROBE_ARGS = ("-v", "error", "-hide_banner", "-print_format", "json")


def probe_command(path: Path) -> list[str]:
    """ffprobe reading the container and every stream of ``path`` as JSON."""
    return ["ffprobe", *PROBE_ARGS, "-show_format", "-show_streams", str(path)]


@dataclass(frozen=True, slots=True)
class ClipInfo:
    """Metadata of one clip, as ANALYSIS reports it."""

    duration: float
    video_duration: float
    width: int
    height: int
    rotation: int
    fps: float
    video_codec: str
    audio_codec: str | None
    bit_rate: int | None
    size_bytes: int | None
    format_name: str

    @property
    def has_audio(self) -> bool:
        """True if the clip has an audio stream."""
        return self.audio_codec is not None

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown, after the rotation is applied."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


def parse_probe(data: bytes | str) -> Mapping[str, Any]:
    """Decode ffprobe's JSON output.

    Raises:
        StageError: FFPROBE_FAILED when the output is not a JSON object.
    """
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise StageError(ErrorCode.FFPROBE_FAILED, f"ffprobe printed no JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise StageError(ErrorCode.FFPROBE_FAILED, "ffprobe printed no JSON object")
    return parsed


def streams_of(probe: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """The streams of one ``codec_type`` (``video``, ``audio``), cover art excluded."""
    return [
        s
        for s in probe.get("streams", [])
        if s.get("codec_type") == kind and not s.get("disposition", {}).get("attached_pic")
    ]


def rotation_of(stream: Mapping[str, Any]) -> int:
    """Clockwise display rotation in degrees (0, 90, 180, 270) of a video stream.

    ffprobe reports it either as a ``rotate`` tag (older muxers) or as a display matrix
    side data ``rotation`` (counter-clockwise, often negative); both are normalised here.
    """
    tag = stream.get("tags", {}).get("rotate")
    if tag is not None:
        return _quarter(int(float(tag)))
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return _quarter(-int(float(side["rotation"])))
    return 0


def _quarter(degrees: int) -> int:
    return (round(degrees / 90) * 90) % 360


def frame_rate(stream: Mapping[str, Any]) -> float:
    """Frames per second from ``avg_frame_rate`` (falls back to ``r_frame_rate``)."""
    for key in ("avg_frame_rate", "r_frame_rate"):
        text = str(stream.get(key) or "0/0")
        num, _, den = text.partition("/")
        if den and int(den) != 0 and int(num) != 0:
            return float(Fraction(int(num), int(den)))
        if not den and float(num) > 0:
            return float(num)
    return 0.0


NOT_VIDEO_FORMATS = frozenset({"tty", "image2", "image2pipe", "lavfi", "subviewer", "srt"})


def is_video_container(format_name: str) -> bool:
    """False for what ffmpeg can read but is no recorded video: text shown as a terminal
    (``tty``, which any text file probes as), still images and image pipes."""
    names = set(format_name.split(","))
    return not (names & NOT_VIDEO_FORMATS or any(n.endswith("_pipe") for n in names))


def clip_info(probe: Mapping[str, Any]) -> ClipInfo:
    """Summarise a probe of one clip.

    Raises:
        StageError: NO_VIDEO_STREAM without a video stream, UNSUPPORTED_MEDIA when the
            duration or the size is unknown.
    """
    fmt = probe.get("format", {})
    if not is_video_container(str(fmt.get("format_name", ""))):
        raise StageError(
            ErrorCode.UNSUPPORTED_MEDIA, f"{fmt.get('format_name')} input is not a video"
        )
    videos = streams_of(probe, "video")
    if not videos:
        raise StageError(ErrorCode.NO_VIDEO_STREAM, "no video stream")
    video = videos[0]
    audios = streams_of(probe, "audio")
    duration = _number(fmt.get("duration")) or _number(video.get("duration"))
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not duration or duration <= 0 or width <= 0 or height <= 0:
        raise StageError(ErrorCode.UNSUPPORTED_MEDIA, "video has no duration or no frame size")
    video_duration = _number(video.get("duration")) or duration
    bit_rate = _number(fmt.get("bit_rate"))
    size = _number(fmt.get("size"))
    return ClipInfo(
        duration=duration,
        video_duration=video_duration,
        width=width,
        height=height,
        rotation=rotation_of(video),
        fps=frame_rate(video),
        video_codec=str(video.get("codec_name", "unknown")),
        audio_codec=str(audios[0].get("codec_name", "unknown")) if audios else None,
        bit_rate=int(bit_rate) if bit_rate else None,
        size_bytes=int(size) if size else None,
        format_name=str(fmt.get("format_name", "unknown")),
    )


def _number(value: object) -> float | None:
    try:
        return float(value) if value not in (None, "", "N/A") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def describe(clips: Sequence[ClipInfo]) -> list[dict[str, Any]]:
    """Plain dictionaries of clip metadata, for the session's metadata JSON."""
    return [
        {
            "duration": c.duration,
            "width": c.width,
            "height": c.height,
            "rotation": c.rotation,
            "fps": round(c.fps, 3),
            "video_codec": c.video_codec,
            "audio_codec": c.audio_codec,
            "bit_rate": c.bit_rate,
        }
        for c in clips
    ]
