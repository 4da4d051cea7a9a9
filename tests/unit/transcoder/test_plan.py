"""Pure decisions: output format from probe data, segments, quality options."""

from __future__ import annotations

import pytest

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.plan import Quality, choose_target, double_rate, quality, segments
from mediawatch_transcoder.probe import ClipInfo

pytestmark = pytest.mark.unit


def clip(width: int, height: int, rotation: int = 0, fps: float = 30.0) -> ClipInfo:
    return ClipInfo(
        duration=2.0,
        video_duration=2.0,
        width=width,
        height=height,
        rotation=rotation,
        fps=fps,
        video_codec="h264",
        audio_codec="aac",
        bit_rate=None,
        size_bytes=None,
        format_name="mov,mp4",
    )


def test_most_clips_portrait_gives_a_portrait_target() -> None:
    target = choose_target([clip(1080, 1920), clip(1920, 1080), clip(720, 1280)], 1280, 30, 48000)
    assert (target.width, target.height) == (720, 1280)


def test_rotated_landscape_frames_count_as_portrait() -> None:
    target = choose_target([clip(1920, 1080, 90), clip(1920, 1080, 270)], 1280, 30, 48000)
    assert target.height > target.width


def test_a_tie_follows_the_first_clip() -> None:
    assert choose_target([clip(640, 360), clip(360, 640)], 1280, 30, 48000).width == 640
    assert choose_target([clip(360, 640), clip(640, 360)], 1280, 30, 48000).height == 640


def test_small_clips_are_not_upscaled_and_sides_are_even() -> None:
    target = choose_target([clip(321, 241)], 1280, 30, 48000)
    assert (target.width, target.height) == (320, 180)


def test_frame_rate_is_the_highest_rounded_and_capped() -> None:
    assert choose_target([clip(640, 360, fps=29.97), clip(640, 360, fps=24)], 1280, 60, 1).fps == 30
    assert choose_target([clip(640, 360, fps=59.94)], 1280, 30, 1).fps == 30
    assert choose_target([clip(640, 360, fps=0)], 1280, 25, 1).fps == 25


def test_segments_are_consecutive_and_rounded() -> None:
    found = segments([1.5201, 2.0, 0.75])
    assert [(s.start, s.end) for s in found] == [(0.0, 1.52), (1.52, 3.52), (3.52, 4.27)]
    assert found[1].duration == pytest.approx(2.0)


def test_segments_refuse_a_clip_without_duration() -> None:
    with pytest.raises(ValueError, match="clip 1"):
        segments([1.0, 0.0])


DEFAULTS = Quality(crf=23, preset="veryfast", max_bitrate=None, audio_bitrate="128k")


def test_job_options_override_quality() -> None:
    chosen = quality(DEFAULTS, {"crf": "28", "preset": "slow", "max_bitrate": "2M"})
    assert chosen == Quality(28, "slow", "2M", "128k")
    assert double_rate("2M") == "4M"
    assert double_rate("1500") == "3000"


@pytest.mark.parametrize(
    "options", [{"crf": "99"}, {"crf": "x"}, {"preset": "warp"}, {"max_bitrate": "fast"}]
)
def test_bad_quality_options_fail_validation(options: dict[str, str]) -> None:
    with pytest.raises(StageError) as caught:
        quality(DEFAULTS, options)
    assert caught.value.code is ErrorCode.VALIDATION_FAILED
