"""Pure decisions of the pipeline: the common output format, filters, segments, quality."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.probe import ClipInfo

PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
)


@dataclass(frozen=True, slots=True)
class Target:
    """The one format every clip is normalised to before merging."""

    width: int
    height: int
    fps: int
    audio_rate: int


@dataclass(frozen=True, slots=True)
class Segment:
    """Where one clip sits in the merged video, in seconds."""

    index: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length of the segment."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Quality:
    """Settings of the final encode."""

    crf: int
    preset: str
    max_bitrate: str | None
    audio_bitrate: str


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def choose_target(
    clips: Sequence[ClipInfo], long_side_cap: int, max_fps: int, audio_rate: int
) -> Target:
    """The output format: orientation of most clips (the first clip breaks ties), 16:9,
    the largest clip's long side capped at ``long_side_cap`` (never upscaled past the largest
    clip), the highest clip frame rate rounded and capped at ``max_fps``.
    """
    if not clips:
        raise ValueError("no clips to plan for")
    sizes = [c.display_size for c in clips]
    portrait = sum(1 for w, h in sizes if h > w)
    landscape = sum(1 for w, h in sizes if w > h)
    first_w, first_h = sizes[0]
    tall = portrait > landscape or (portrait == landscape and first_h > first_w)
    long_side = _even(min(long_side_cap, max(max(w, h) for w, h in sizes)))
    short_side = _even(long_side * 9 / 16)
    fps = (
        min(max_fps, max(1, round(max(c.fps for c in clips))))
        if any(c.fps for c in clips)
        else max_fps
    )
    width, height = (short_side, long_side) if tall else (long_side, short_side)
    return Target(width=width, height=height, fps=fps, audio_rate=audio_rate)


def video_filters(target: Target) -> list[tuple[str, dict[str, object]]]:
    """Filters (name, arguments) fitting an upright clip into ``target``, letterboxed.

    Rotation is applied by ffmpeg's decoder (autorotate) before these run, so they see the
    clip as displayed; :attr:`ClipInfo.display_size` is what planning uses for the same reason.
    """
    w, h = target.width, target.height
    return [
        ("scale", {"w": w, "h": h, "force_original_aspect_ratio": "decrease"}),
        ("pad", {"w": w, "h": h, "x": "(ow-iw)/2", "y": "(oh-ih)/2"}),
        ("setsar", {"sar": "1"}),
        ("fps", {"fps": target.fps}),
        ("format", {"pix_fmts": "yuv420p"}),
    ]


def segments(durations: Sequence[float]) -> list[Segment]:
    """Consecutive segments of clips of ``durations`` seconds, rounded to the millisecond."""
    found: list[Segment] = []
    start = 0.0
    for index, duration in enumerate(durations):
        if duration <= 0:
            raise ValueError(f"clip {index} has no duration")
        end = round(start + duration, 3)
        found.append(Segment(index=index, start=round(start, 3), end=end))
        start = end
    return found


def quality(defaults: Quality, options: Mapping[str, str]) -> Quality:
    """The final encode's settings: ``defaults`` overridden by a job's ``crf``, ``preset``
    and ``max_bitrate`` options.

    Raises:
        StageError: VALIDATION_FAILED when an option is out of range.
    """
    crf, preset, cap = defaults.crf, defaults.preset, defaults.max_bitrate
    if "crf" in options:
        if not options["crf"].isdigit() or not 0 <= int(options["crf"]) <= 51:
            raise StageError(ErrorCode.VALIDATION_FAILED, f"crf {options['crf']!r} not in 0..51")
        crf = int(options["crf"])
    if "preset" in options:
        if options["preset"] not in PRESETS:
            raise StageError(ErrorCode.VALIDATION_FAILED, f"unknown preset {options['preset']!r}")
        preset = options["preset"]
    if "max_bitrate" in options:
        text = options["max_bitrate"]
        if not (text[:-1].isdigit() and text[-1] in "kKmM") and not text.isdigit():
            raise StageError(ErrorCode.VALIDATION_FAILED, f"bad max_bitrate {text!r}")
        cap = text
    return Quality(crf=crf, preset=preset, max_bitrate=cap, audio_bitrate=defaults.audio_bitrate)


def double_rate(rate: str) -> str:
    """Twice a bitrate such as ``4M`` (the VBV buffer size that goes with a max rate)."""
    if rate[-1].isdigit():
        return str(int(rate) * 2)
    return f"{int(rate[:-1]) * 2}{rate[-1]}"
