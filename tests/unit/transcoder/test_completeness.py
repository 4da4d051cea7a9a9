"""Truncation check: the end the container promises versus the end of the decodable video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.completeness import (
    check_complete,
    decoded_end,
    promised_end,
    tail_command,
)
from mediawatch_transcoder.errors import StageError

pytestmark = pytest.mark.unit


def video(**fields: Any) -> dict[str, Any]:
    return {"codec_type": "video", "disposition": {"attached_pic": 0}, **fields}


def frames(*times: tuple[str, str]) -> dict[str, Any]:
    return {"frames": [{"best_effort_timestamp_time": t, "duration_time": d} for t, d in times]}


def test_promised_end_is_the_video_streams_own_end() -> None:
    audio = {"codec_type": "audio", "duration": "9.0"}
    probe = {
        "streams": [audio, video(start_time="0.5", duration="4.0")],
        "format": {"duration": "9"},
    }
    assert promised_end(probe) == pytest.approx(4.5)


def test_matroska_duration_tag_is_read_and_unknown_lengths_skip_the_check() -> None:
    mkv = {"streams": [video(start_time="0.023", tags={"DURATION": "00:01:04.023000000"})]}
    assert promised_end(mkv) == pytest.approx(64.023)
    assert promised_end({"streams": [video(start_time="0")], "format": {"duration": "5"}}) is None
    cover = video(duration="3", disposition={"attached_pic": 1})
    assert promised_end({"streams": [cover]}) is None


def test_tail_command_decodes_from_one_second_before_the_end() -> None:
    args = tail_command(Path("/w/clip 0.mp4"), 12.5)
    assert args[0] == "ffprobe"
    assert args[args.index("-read_intervals") + 1] == "11.500%"
    assert args[args.index("-select_streams") + 1] == "v:0"
    assert args[-1] == "/w/clip 0.mp4"
    short = tail_command(Path("a.mp4"), 0.4)
    assert short[short.index("-read_intervals") + 1] == "0.000%"


def test_decoded_end_takes_the_last_frame_plus_its_duration() -> None:
    assert decoded_end(frames(("3.92", "0.04"), ("3.96", "0.04"))) == pytest.approx((4.0, 0.04))
    older = {"frames": [{"best_effort_timestamp_time": "1.0", "pkt_duration_time": "0.5"}]}
    assert decoded_end(older) == pytest.approx((1.5, 0.5))
    assert decoded_end({"frames": [{"best_effort_timestamp_time": "N/A"}]}) is None
    assert decoded_end({}) is None


def test_a_whole_clip_passes() -> None:
    check_complete(4.0, (4.0, 0.04))
    check_complete(4.0, (3.8, 0.04))  # within the tolerance of timestamp rounding


def test_a_slow_frame_rate_gets_a_wider_tolerance() -> None:
    check_complete(10.0, (9.0, 1.0))  # a 1 fps timelapse whose last frame is its own second


@pytest.mark.parametrize(
    ("decoded", "detail"),
    [
        ((2.0, 0.04), "decodable video ends at 2.00 s of 4.00 s"),
        ((3.6, 0.04), "decodable video ends at 3.60 s"),
        (None, "no decodable video in the last 1 s of 4.00 s"),
    ],
)
def test_a_cut_clip_fails_validation(decoded: tuple[float, float] | None, detail: str) -> None:
    with pytest.raises(StageError) as caught:
        check_complete(4.0, decoded)
    assert caught.value.code is ErrorCode.VALIDATION_FAILED
    assert caught.value.message.startswith("truncated: ")
    assert detail in caught.value.message
