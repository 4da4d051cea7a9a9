"""Parsing ffprobe output: rotation, frame rate, what counts as a video, error classes."""

from __future__ import annotations

import json

import pytest

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import SessionAbandonedError, StageError, classify, tail
from mediawatch_transcoder.probe import clip_info, frame_rate, parse_probe, rotation_of

pytestmark = pytest.mark.unit


def probe(*streams: dict[str, object], fmt: str = "mov,mp4,m4a,3gp,3g2,mj2") -> dict[str, object]:
    return {
        "streams": list(streams),
        "format": {"format_name": fmt, "duration": "2.5", "bit_rate": "800000", "size": "250000"},
    }


VIDEO = {
    "codec_type": "video",
    "codec_name": "h264",
    "width": 1920,
    "height": 1080,
    "avg_frame_rate": "30000/1001",
    "duration": "2.48",
}
AUDIO: dict[str, object] = {"codec_type": "audio", "codec_name": "aac"}


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ({}, 0),
        ({"tags": {"rotate": "90"}}, 90),
        ({"tags": {"rotate": "-90"}}, 270),
        ({"side_data_list": [{"rotation": -90}]}, 90),
        ({"side_data_list": [{"rotation": 90}]}, 270),
        ({"side_data_list": [{"rotation": 180}]}, 180),
    ],
)
def test_rotation_is_clockwise_quarter_turns(stream: dict[str, object], expected: int) -> None:
    assert rotation_of(stream) == expected


def test_clip_info_reads_duration_size_codecs_and_display_size() -> None:
    info = clip_info(probe({**VIDEO, "side_data_list": [{"rotation": -90}]}, AUDIO))
    assert info.duration == 2.5
    assert info.video_duration == 2.48
    assert info.display_size == (1080, 1920)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert (info.video_codec, info.audio_codec, info.bit_rate) == ("h264", "aac", 800000)
    assert info.has_audio


def test_cover_art_is_not_a_video_stream() -> None:
    art = {**VIDEO, "disposition": {"attached_pic": 1}}
    with pytest.raises(StageError) as caught:
        clip_info(probe(art, AUDIO))
    assert caught.value.code is ErrorCode.NO_VIDEO_STREAM


@pytest.mark.parametrize("fmt", ["tty", "image2", "png_pipe"])
def test_text_and_still_images_are_not_videos(fmt: str) -> None:
    with pytest.raises(StageError) as caught:
        clip_info(probe(VIDEO, fmt=fmt))
    assert caught.value.code is ErrorCode.UNSUPPORTED_MEDIA


def test_frame_rate_falls_back_and_survives_zero() -> None:
    assert frame_rate({"avg_frame_rate": "0/0", "r_frame_rate": "25/1"}) == 25.0
    assert frame_rate({"avg_frame_rate": "0/0"}) == 0.0


def test_probe_output_must_be_a_json_object() -> None:
    assert parse_probe(json.dumps({"streams": []})) == {"streams": []}
    for bad in ("", "[1]", "not json"):
        with pytest.raises(StageError) as caught:
            parse_probe(bad)
        assert caught.value.code is ErrorCode.FFPROBE_FAILED


def test_classify_maps_exceptions_to_error_codes() -> None:
    assert classify(StageError(ErrorCode.FFMPEG_FAILED, "x")) == (ErrorCode.FFMPEG_FAILED, "x")
    assert classify(SessionAbandonedError("bye"))[0] is ErrorCode.WORKER_LOST
    assert classify(TimeoutError())[0] is ErrorCode.TIMEOUT_ERROR
    code, message = classify(KeyError("k"))
    assert code is ErrorCode.INTERNAL_ERROR
    assert "KeyError" in message


def test_tail_keeps_the_end_of_long_output() -> None:
    text = "\n".join(f"line {i}" for i in range(500)) + "\nthe real error"
    short = tail(text, 100)
    assert len(short) == 100
    assert short.endswith("the real error")
