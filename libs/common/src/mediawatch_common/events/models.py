"""Typed, immutable events; each class mirrors ``schemas/avro/io.mediawatch.events.<Name>.avsc``.

Field meanings are documented once, in the schema files. Construction is keyword-only;
``event_id`` and ``event_time`` default to a fresh uuid4 and the current UTC time, and
optional schema fields default to the schema's default.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from mediawatch_common.events.enums import AlertLevel, ErrorCode, Stage

Scalar = bool | int | float | str | None
"""Value type of free-form maps (``metadata``, ``extra``)."""


def utc_now() -> datetime:
    """Returns the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Producer:
    """The process that emitted an event."""

    service: str
    host: str
    pid: int

    @classmethod
    def current(cls, service: str) -> Producer:
        """Describes the running process as ``service``."""
        return cls(service=service, host=socket.gethostname(), pid=os.getpid())


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipInput:
    """One uploaded clip of a :class:`TranscodeRequested`."""

    uri: str
    filename: str
    size_bytes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseEvent:
    """Fields every event starts with."""

    event_id: UUID = field(default_factory=uuid4)
    event_time: datetime = field(default_factory=utc_now)
    producer: Producer


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscodeRequested(BaseEvent):
    """A user asked for clips to be merged and transcoded; starts a session."""

    session_id: str
    user_id: str
    inputs: tuple[ClipInput, ...]
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class StageStarted(BaseEvent):
    """A session entered a pipeline stage."""

    session_id: str
    user_id: str
    stage: Stage
    attempt: int = 1
    video_count: int | None = None
    total_size_bytes: int | None = None
    metadata: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class StageCompleted(BaseEvent):
    """A session left a pipeline stage, successfully or not."""

    session_id: str
    user_id: str
    stage: Stage
    attempt: int = 1
    started_at: datetime
    success: bool
    duration_seconds: float
    error_code: ErrorCode | None = None
    error_message: str | None = None
    input_size_bytes: int | None = None
    output_size_bytes: int | None = None
    video_count: int | None = None
    peak_memory_mb: float | None = None
    cpu_percent: float | None = None
    metadata: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceSample(BaseEvent):
    """A periodic sample of a worker host's resources."""

    host: str
    cpu_percent: float
    memory_percent: float
    memory_used_mb: float
    disk_percent: float
    disk_path: str
    temp_dir_bytes: int
    active_sessions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowAggregated(BaseEvent):
    """Aggregated outcomes of one stage over one time window (final when ``closed``)."""

    window_start: datetime
    window_end: datetime
    window_seconds: int
    hop_seconds: int
    stage: Stage
    attempts: int
    successes: int
    failures: int
    error_rate: float
    failures_by_code: Mapping[str, int] = field(default_factory=dict)
    duration_count: int
    duration_sum_seconds: float
    duration_min_seconds: float | None = None
    duration_max_seconds: float | None = None
    p50_seconds: float | None = None
    p95_seconds: float | None = None
    p99_seconds: float | None = None
    late_events: int = 0
    closed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRaised(BaseEvent):
    """An alert rule fired; active until the matching :class:`AlertResolved`."""

    alert_id: str
    fingerprint: str
    rule: str
    level: AlertLevel
    title: str
    message: str
    session_id: str | None = None
    user_id: str | None = None
    stage: Stage | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Scalar] = field(default_factory=dict)
    starts_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertResolved(BaseEvent):
    """A previously raised alert is no longer active."""

    alert_id: str
    fingerprint: str
    rule: str
    reason: str
    ends_at: datetime
    actor: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogRecorded(BaseEvent):
    """One structured application log record."""

    timestamp: datetime
    level: str
    logger: str
    message: str
    module: str
    function: str
    line: int
    process_id: int
    thread_id: int
    extra: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthCheckResult:
    """The outcome of one component's check within a :class:`HealthChecked`."""

    component: str
    status: str
    message: str
    response_time_ms: float
    details: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthChecked(BaseEvent):
    """A health check run finished on one host; carries every component's status.

    ``interval_seconds`` is set by a periodic reporter (the next run is due then) and None
    for a run on demand.
    """

    host: str
    overall_status: str
    checked_at: datetime
    total_check_time_ms: float
    checks: tuple[HealthCheckResult, ...]
    interval_seconds: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertDelivered(BaseEvent):
    """A chat sink accepted a notification about one or more alerts (one per attempt)."""

    notification_id: str
    group_key: str
    sink: str
    sink_type: str
    status: str
    alert_ids: tuple[str, ...]
    attempt: int
    http_status: int | None = None
    duration_ms: float
    rate_limited_ms: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertDeliveryFailed(BaseEvent):
    """One attempt to deliver a notification to a chat sink failed."""

    notification_id: str
    group_key: str
    sink: str
    sink_type: str
    status: str
    alert_ids: tuple[str, ...]
    attempt: int
    http_status: int | None = None
    duration_ms: float
    error: str
    final: bool
    retry_in_seconds: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SilenceMatcher:
    """One condition of a :class:`SilenceCreated` on one alert label."""

    label: str
    op: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SilenceCreated(BaseEvent):
    """An operator muted the alerts matching every matcher between two times."""

    silence_id: str
    matchers: tuple[SilenceMatcher, ...]
    starts_at: datetime
    ends_at: datetime
    author: str
    comment: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SilenceExpired(BaseEvent):
    """A silence stopped applying (end time reached or expired early)."""

    silence_id: str
    reason: str
    expired_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertAcknowledged(BaseEvent):
    """An operator took ownership of a firing alert (it keeps firing until resolved)."""

    alert_id: str
    fingerprint: str
    rule: str
    acknowledged_by: str
    comment: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomAlertReported(BaseEvent):
    """A pipeline reported a condition of its own, or that it has cleared (``resolved``)."""

    alert_type: str
    level: AlertLevel
    resolved: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Scalar] = field(default_factory=dict)
    message: str | None = None
    session_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetterRedriven(BaseEvent):
    """An operator sent a dead letter back to its origin topic (on the dead-letter topic)."""

    deadletter_partition: int
    deadletter_offset: int
    origin_topic: str
    origin_partition: int = -1
    origin_offset: int = -1
    redriven_partition: int | None = None
    redriven_offset: int | None = None
    consumer_group: str = ""
    reason: str = ""
    forced: bool = False
    actor: str | None = None


Event = (
    TranscodeRequested
    | StageStarted
    | StageCompleted
    | ResourceSample
    | WindowAggregated
    | AlertRaised
    | AlertResolved
    | LogRecorded
    | HealthChecked
    | AlertDelivered
    | AlertDeliveryFailed
    | SilenceCreated
    | SilenceExpired
    | AlertAcknowledged
    | CustomAlertReported
    | DeadLetterRedriven
)
"""Any event of the contract."""

EVENT_TYPES: Mapping[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        TranscodeRequested,
        StageStarted,
        StageCompleted,
        ResourceSample,
        WindowAggregated,
        AlertRaised,
        AlertResolved,
        LogRecorded,
        HealthChecked,
        AlertDelivered,
        AlertDeliveryFailed,
        SilenceCreated,
        SilenceExpired,
        AlertAcknowledged,
        CustomAlertReported,
        DeadLetterRedriven,
    )
}
"""Event classes by Avro short name (the class name)."""
