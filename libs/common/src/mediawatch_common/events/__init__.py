"""Typed events of the Mediawatch contract and their Avro encoding."""

from mediawatch_common.events.codec import decode_event, default_codec, encode_event
from mediawatch_common.events.convert import event_name, from_record, to_record
from mediawatch_common.events.enums import AlertLevel, ErrorCode, Stage
from mediawatch_common.events.models import (
    EVENT_TYPES,
    AlertRaised,
    AlertResolved,
    BaseEvent,
    ClipInput,
    Event,
    HealthChecked,
    HealthCheckResult,
    LogRecorded,
    Producer,
    ResourceSample,
    Scalar,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    WindowAggregated,
    utc_now,
)

__all__ = [
    "EVENT_TYPES",
    "AlertLevel",
    "AlertRaised",
    "AlertResolved",
    "BaseEvent",
    "ClipInput",
    "ErrorCode",
    "Event",
    "HealthCheckResult",
    "HealthChecked",
    "LogRecorded",
    "Producer",
    "ResourceSample",
    "Scalar",
    "Stage",
    "StageCompleted",
    "StageStarted",
    "TranscodeRequested",
    "WindowAggregated",
    "decode_event",
    "default_codec",
    "encode_event",
    "event_name",
    "from_record",
    "to_record",
    "utc_now",
]
