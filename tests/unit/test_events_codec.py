"""Round trips and pinned bytes for one realistic example of every event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from mediawatch_common.avro import HEADER_SIZE, MARKER, SchemaRegistry
from mediawatch_common.events import (
    EVENT_TYPES,
    AlertAcknowledged,
    AlertDelivered,
    AlertDeliveryFailed,
    AlertLevel,
    AlertRaised,
    AlertResolved,
    ClipInput,
    CustomAlertReported,
    DeadLetterRedriven,
    ErrorCode,
    Event,
    HealthChecked,
    HealthCheckResult,
    LogRecorded,
    Producer,
    ResourceSample,
    SilenceCreated,
    SilenceExpired,
    SilenceMatcher,
    Stage,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    WindowAggregated,
    decode_event,
    encode_event,
    event_name,
)

pytestmark = pytest.mark.unit

EVENT_ID = UUID("5f0c6f4e-8a3b-4c1d-9e2f-0123456789ab")
T0 = datetime(2023, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)
STARTED = datetime(2023, 12, 31, 23, 59, 13, 923456, tzinfo=UTC)
PRODUCER = Producer(service="transcoder", host="worker-1", pid=4242)
HEADER: dict[str, Any] = {"event_id": EVENT_ID, "event_time": T0, "producer": PRODUCER}

EXAMPLES: dict[str, Event] = {
    "TranscodeRequested": TranscodeRequested(
        **HEADER,
        session_id="video_session_123",
        user_id="user_456",
        inputs=(
            ClipInput(uri="file:///tmp/in/a.mp4", filename="truth1.mp4", size_bytes=15728640),
            ClipInput(uri="file:///tmp/in/b.mov", filename="lie.mov", size_bytes=20971520),
        ),
        options={"quality": "high"},
    ),
    "StageStarted": StageStarted(
        **HEADER,
        session_id="video_session_123",
        user_id="user_456",
        stage=Stage.MERGING,
        video_count=3,
        total_size_bytes=47395635,
        metadata={"total_size_mb": 45.2, "source": "ios"},
    ),
    "StageCompleted": StageCompleted(
        **HEADER,
        session_id="video_session_123",
        user_id="user_456",
        stage=Stage.MERGING,
        attempt=2,
        started_at=STARTED,
        success=False,
        duration_seconds=45.2,
        error_code=ErrorCode.FFMPEG_FAILED,
        error_message="FFmpeg process failed",
        input_size_bytes=47395635,
        video_count=3,
        peak_memory_mb=512.3,
        cpu_percent=87.5,
    ),
    "ResourceSample": ResourceSample(
        **HEADER,
        host="worker-1",
        cpu_percent=15.2,
        memory_percent=45.8,
        memory_used_mb=7340.5,
        disk_percent=23.1,
        disk_path="/tmp/mediawatch",
        temp_dir_bytes=1073741824,
        active_sessions=2,
    ),
    "WindowAggregated": WindowAggregated(
        **HEADER,
        window_start=datetime(2023, 12, 31, 23, 55, tzinfo=UTC),
        window_end=datetime(2024, 1, 1, tzinfo=UTC),
        window_seconds=300,
        hop_seconds=60,
        stage=Stage.MERGING,
        attempts=20,
        successes=17,
        failures=3,
        error_rate=0.15,
        failures_by_code={"FFMPEG_FAILED": 2, "TIMEOUT_ERROR": 1},
        duration_count=20,
        duration_sum_seconds=512.0,
        duration_min_seconds=12.5,
        duration_max_seconds=45.2,
        p50_seconds=23.4,
        p95_seconds=44.0,
        p99_seconds=45.2,
        late_events=1,
        closed=True,
    ),
    "AlertRaised": AlertRaised(
        **HEADER,
        alert_id="alert_1703987999_1",
        fingerprint="processing_failed:video_session_123:merging",
        rule="processing_failed",
        level=AlertLevel.ERROR,
        title="Processing Failed: merging",
        message="Session video_session_123 failed at merging: FFmpeg process failed",
        session_id="video_session_123",
        user_id="user_456",
        stage=Stage.MERGING,
        labels={"stage": "merging", "host": "worker-1"},
        metadata={"error_code": "FFMPEG_FAILED", "duration_seconds": 45.2, "retried": True},
        starts_at=T0,
    ),
    "AlertResolved": AlertResolved(
        **HEADER,
        alert_id="alert_1703987999_1",
        fingerprint="processing_failed:video_session_123:merging",
        rule="processing_failed",
        reason="cleared",
        ends_at=T0,
        actor="admin",
    ),
    "LogRecorded": LogRecorded(
        **HEADER,
        timestamp=T0,
        level="INFO",
        logger="services.video_merge_service",
        message="Video merge completed successfully",
        module="video_merge_service",
        function="merge_videos",
        line=245,
        process_id=12345,
        thread_id=140234567890,
        extra={"session_id": "video_session_123", "duration_seconds": 23.4, "video_count": 3},
    ),
    "HealthChecked": HealthChecked(
        **HEADER,
        host="api-1",
        overall_status="warning",
        checked_at=T0,
        total_check_time_ms=245.7,
        checks=(
            HealthCheckResult(
                component="system_resources",
                status="healthy",
                message="System resources healthy",
                response_time_ms=12.3,
                details={"cpu_usage_percent": 15.2, "memory_usage_percent": 45.8},
            ),
            HealthCheckResult(
                component="ffmpeg",
                status="warning",
                message="ffmpeg slow to answer",
                response_time_ms=2100.0,
                details={"version": "5.1.6", "available": True},
            ),
        ),
        interval_seconds=300.0,
    ),
    "AlertDelivered": AlertDelivered(
        **HEADER,
        notification_id="ntf_1703987999_1",
        group_key="route=oncall,rule=processing_failed",
        sink="oncall-slack",
        sink_type="slack",
        status="firing",
        alert_ids=("alert_1703987999_1", "alert_1703987999_2"),
        attempt=2,
        http_status=200,
        duration_ms=84.5,
        rate_limited_ms=12.0,
    ),
    "AlertDeliveryFailed": AlertDeliveryFailed(
        **HEADER,
        notification_id="ntf_1703987999_1",
        group_key="route=oncall,rule=processing_failed",
        sink="oncall-slack",
        sink_type="slack",
        status="firing",
        alert_ids=("alert_1703987999_1",),
        attempt=1,
        http_status=429,
        duration_ms=31.25,
        error="HTTP 429",
        final=False,
        retry_in_seconds=7.0,
    ),
    "SilenceCreated": SilenceCreated(
        **HEADER,
        silence_id="silence_1703987999_1",
        matchers=(
            SilenceMatcher(label="host", op="=", value="worker-1"),
            SilenceMatcher(label="rule", op="=~", value="processing_.*"),
        ),
        starts_at=STARTED,
        ends_at=T0,
        author="alice",
        comment="maintenance of worker-1",
    ),
    "SilenceExpired": SilenceExpired(
        **HEADER,
        silence_id="silence_1703987999_1",
        reason="end time reached",
        expired_at=T0,
    ),
    "AlertAcknowledged": AlertAcknowledged(
        **HEADER,
        alert_id="alert_1703987999_1",
        fingerprint="processing_failed:video_session_123",
        rule="processing_failed",
        acknowledged_by="alice",
        comment="looking into it, INC-42",
    ),
    "CustomAlertReported": CustomAlertReported(
        **HEADER,
        alert_type="upload_quota_low",
        level=AlertLevel.WARNING,
        labels={"bucket": "uploads-eu"},
        context={"free_gb": 12.5, "threshold_gb": 50},
        session_id="video_session_123",
    ),
    "DeadLetterRedriven": DeadLetterRedriven(
        **HEADER,
        deadletter_partition=0,
        deadletter_offset=17,
        origin_topic="mediawatch.pipeline",
        origin_partition=3,
        origin_offset=4242,
        redriven_partition=3,
        redriven_offset=9001,
        consumer_group="mediawatch.projector",
        reason="DecodeError: unknown_fingerprint: 0011223344556677",
        actor="alice",
    ),
}

# Exact single-object encodings of EXAMPLES. A change here means the schema's canonical
# form or the encoding changed: add a released copy and check compatibility, never just
# re-pin.
PINNED_HEX: dict[str, str] = {
    "TranscodeRequested": (
        "c301c14043e3be4792ea4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442227669"
        "64656f5f73657373696f6e5f31323310757365725f343536042866696c653a2f2f2f746d702f696e"
        "2f612e6d7034147472757468312e6d70348080800f2866696c653a2f2f2f746d702f696e2f622e6d"
        "6f760e6c69652e6d6f768080801400020e7175616c697479086869676800"
    ),
    "StageStarted": (
        "c301aa3e44577aee26ec4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442227669"
        "64656f5f73657373696f6e5f31323310757365725f3435360602020602e6cc992d041a746f74616c"
        "5f73697a655f6d62069a999999999946400c736f757263650806696f7300"
    ),
    "StageCompleted": (
        "c301b23a20fc02eaac654835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442227669"
        "64656f5f73657373696f6e5f31323310757365725f343536060480b690d6e1f58606009a99999999"
        "9946400200022a46466d7065672070726f63657373206661696c656402e6cc992d00020602666666"
        "6666028040020000000000e0554000"
    ),
    "ResourceSample": (
        "c301a399621b3932636b4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44210776f"
        "726b65722d316666666666662e406666666666e646400000000080acbc409a999999991937401e2f"
        "746d702f6d656469617761746368808080800804"
    ),
    "WindowAggregated": (
        "c301f19c4a1a53d5711a4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44280f4fb"
        "e3dff5860680808982e2f58606d8047806282206333333333333c33f041a46464d5045475f464149"
        "4c4544041a54494d454f55545f4552524f520200280000000000008040020000000000002940029a"
        "99999999994640026666666666663740020000000000004640029a999999999946400201"
    ),
    "AlertRaised": (
        "c3011de47449260a68054835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44224616c"
        "6572745f313730333938373939395f315670726f63657373696e675f6661696c65643a766964656f"
        "5f73657373696f6e5f3132333a6d657267696e672270726f63657373696e675f6661696c65640434"
        "50726f63657373696e67204661696c65643a206d657267696e67840153657373696f6e2076696465"
        "6f5f73657373696f6e5f313233206661696c6564206174206d657267696e673a2046466d70656720"
        "70726f63657373206661696c65640222766964656f5f73657373696f6e5f3132330210757365725f"
        "3435360206040a73746167650e6d657267696e6708686f737410776f726b65722d31000614657272"
        "6f725f636f6465081a46464d5045475f4641494c4544206475726174696f6e5f7365636f6e647306"
        "9a999999999946400e7265747269656402010080809e81e2f58606"
    ),
    "AlertResolved": (
        "c301b8137e74d26040c54835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44224616c"
        "6572745f313730333938373939395f315670726f63657373696e675f6661696c65643a766964656f"
        "5f73657373696f6e5f3132333a6d657267696e672270726f63657373696e675f6661696c65640e63"
        "6c656172656480809e81e2f58606020a61646d696e"
    ),
    "LogRecorded": (
        "c301d586b0dc93e017404835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44280809e"
        "81e2f5860608494e464f3873657276696365732e766964656f5f6d657267655f7365727669636544"
        "566964656f206d6572676520636f6d706c65746564207375636365737366756c6c7926766964656f"
        "5f6d657267655f73657276696365186d657267655f766964656f73ea03f2c001a4c38dea94080614"
        "73657373696f6e5f69640822766964656f5f73657373696f6e5f313233206475726174696f6e5f73"
        "65636f6e647306666666666666374016766964656f5f636f756e74040600"
    ),
    "HealthChecked": (
        "c30123a8643af1ce6c004835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a4420a6170"
        "692d310e7761726e696e6780809e81e2f586066666666666b66e40042073797374656d5f7265736f"
        "75726365730e6865616c7468793053797374656d207265736f7572636573206865616c7468799a99"
        "99999999284004226370755f75736167655f70657263656e74066666666666662e40286d656d6f72"
        "795f75736167655f70657263656e74066666666666e64640000c66666d7065670e7761726e696e67"
        "2a66666d70656720736c6f7720746f20616e73776572000000000068a040040e76657273696f6e08"
        "0a352e312e3612617661696c61626c6502010000020000000000c07240"
    ),
    "AlertDelivered": (
        "c301ea105eead0f5c7104835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442206e74"
        "665f313730333938373939395f3146726f7574653d6f6e63616c6c2c72756c653d70726f63657373"
        "696e675f6661696c6564186f6e63616c6c2d736c61636b0a736c61636b0c666972696e670424616c"
        "6572745f313730333938373939395f3124616c6572745f313730333938373939395f320004029003"
        "00000000002055400000000000002840"
    ),
    "AlertDeliveryFailed": (
        "c301dc662416671e185b4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442206e74"
        "665f313730333938373939395f3146726f7574653d6f6e63616c6c2c72756c653d70726f63657373"
        "696e675f6661696c6564186f6e63616c6c2d736c61636b0a736c61636b0c666972696e670224616c"
        "6572745f313730333938373939395f31000202da060000000000403f401048545450203432390002"
        "0000000000001c40"
    ),
    "SilenceCreated": (
        "c301b1b087e1f17ee2384835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442287369"
        "6c656e63655f313730333938373939395f310408686f7374023d10776f726b65722d310872756c65"
        "043d7e1a70726f63657373696e675f2e2a0080b690d6e1f5860680809e81e2f586060a616c696365"
        "2e6d61696e74656e616e6365206f6620776f726b65722d31"
    ),
    "SilenceExpired": (
        "c301b0f3eea88c6914ae4835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442287369"
        "6c656e63655f313730333938373939395f3120656e642074696d65207265616368656480809e81e2"
        "f58606"
    ),
    "AlertAcknowledged": (
        "c3015b7dbebdabd772b14835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a44224616c"
        "6572745f313730333938373939395f314670726f63657373696e675f6661696c65643a766964656f"
        "5f73657373696f6e5f3132332270726f63657373696e675f6661696c65640a616c6963652e6c6f6f"
        "6b696e6720696e746f2069742c20494e432d3432"
    ),
    "CustomAlertReported": (
        "c3013e84d9554e3c0d434835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442207570"
        "6c6f61645f71756f74615f6c6f770200020c6275636b65741475706c6f6164732d657500040e6672"
        "65655f6762060000000000002940187468726573686f6c645f6762046400000222766964656f5f73"
        "657373696f6e5f31323300"
    ),
    "DeadLetterRedriven": (
        "c3019f926dd97ca6d0f44835663063366634652d386133622d346331642d396532662d3031323334"
        "3536373839616280809e81e2f58606147472616e73636f64657210776f726b65722d31a442002226"
        "6d6564696177617463682e706970656c696e6506a442020602d28c01286d6564696177617463682e"
        "70726f6a6563746f72644465636f64654572726f723a20756e6b6e6f776e5f66696e676572707269"
        "6e743a203030313132323333343435353636373700020a616c696365"
    ),
}


def test_examples_cover_every_event() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES) == set(PINNED_HEX)
    assert all(event_name(event) == name for name, event in EXAMPLES.items())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_round_trip(name: str) -> None:
    event = EXAMPLES[name]

    decoded = decode_event(encode_event(event))

    assert decoded == event
    assert type(decoded) is type(event)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_encoding_is_pinned(name: str) -> None:
    assert encode_event(EXAMPLES[name]).hex() == PINNED_HEX[name]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pinned_bytes_decode_to_the_example(name: str) -> None:
    data = bytes.fromhex(PINNED_HEX[name])

    assert data[:2] == MARKER
    assert data[2:HEADER_SIZE] == SchemaRegistry().current(name).fingerprint
    assert decode_event(data) == EXAMPLES[name]


def test_round_trip_keeps_defaults_and_nested_types() -> None:
    event = StageStarted(producer=PRODUCER, session_id="s1", user_id="u1", stage=Stage.UPLOAD)

    decoded = decode_event(encode_event(event))

    assert isinstance(decoded, StageStarted)
    assert decoded.attempt == 1
    assert decoded.video_count is None
    assert decoded.event_id == event.event_id
    assert decoded.event_time == event.event_time
    assert decoded.event_time.tzinfo is not None


def test_transcode_inputs_decode_as_a_tuple_of_clips() -> None:
    decoded = decode_event(encode_event(EXAMPLES["TranscodeRequested"]))

    assert isinstance(decoded, TranscodeRequested)
    assert isinstance(decoded.inputs, tuple)
    assert all(isinstance(clip, ClipInput) for clip in decoded.inputs)
