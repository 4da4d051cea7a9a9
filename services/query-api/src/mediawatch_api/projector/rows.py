"""Turn a batch of consumed events into the rows each table receives (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediawatch_api.projector.alerting import delivery_row, silence_row, to_json
from mediawatch_api.projector.sessions import SessionEvent
from mediawatch_common.events import (
    AlertAcknowledged,
    AlertDelivered,
    AlertDeliveryFailed,
    AlertRaised,
    AlertResolved,
    Event,
    HealthChecked,
    LogRecorded,
    ResourceSample,
    SilenceCreated,
    SilenceExpired,
    StageCompleted,
    StageStarted,
    TranscodeRequested,
    WindowAggregated,
    event_name,
    to_record,
)
from mediawatch_common.kafka import Record

Row = tuple[Any, ...]
RunKey = tuple[str, str, int]
MinuteKey = tuple[datetime, str, str]

RUN_COLUMNS = (
    "session_id",
    "stage",
    "attempt",
    "user_id",
    "started_at",
    "completed_at",
    "success",
    "duration_seconds",
    "error_code",
    "error_message",
    "input_size_bytes",
    "output_size_bytes",
    "video_count",
    "peak_memory_mb",
    "cpu_percent",
)


@dataclass(slots=True)
class Rows:
    """Everything one batch writes, grouped by table."""

    pipeline_events: list[Row] = field(default_factory=list)
    session_events: list[SessionEvent] = field(default_factory=list)
    runs: dict[RunKey, dict[str, Any]] = field(default_factory=dict)
    minutes: dict[MinuteKey, list[float]] = field(default_factory=dict)
    resource_samples: list[Row] = field(default_factory=list)
    windows: dict[tuple[str, int, int, datetime], Row] = field(default_factory=dict)
    alerts_raised: dict[str, Row] = field(default_factory=dict)
    alerts_resolved: list[Row] = field(default_factory=list)
    alerts_acknowledged: list[Row] = field(default_factory=list)
    deliveries: list[Row] = field(default_factory=list)
    silences_created: dict[str, Row] = field(default_factory=dict)
    silences_expired: list[Row] = field(default_factory=list)
    logs: list[Row] = field(default_factory=list)
    health: list[Row] = field(default_factory=list)
    positions: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def minute_rows(self) -> list[Row]:
        """``stage_minutes`` rows: (minute, stage, code, attempts, ok, failed, duration)."""
        return [(*key, int(v[0]), int(v[1]), int(v[2]), v[3]) for key, v in self.minutes.items()]

    @property
    def run_rows(self) -> list[Row]:
        """``stage_runs`` rows in :data:`RUN_COLUMNS` order."""
        return [tuple(run.get(c) for c in RUN_COLUMNS) for run in self.runs.values()]


def build_rows(records: Sequence[Record[Event]]) -> Rows:
    """Group ``records`` (in consumption order) into table rows and the next positions."""
    rows = Rows()
    for record in records:
        _add(rows, record)
        key = (record.topic, record.partition)
        rows.positions[key] = max(rows.positions.get(key, 0), record.offset + 1)
    return rows


def _add(rows: Rows, record: Record[Event]) -> None:
    event = record.event
    if isinstance(event, TranscodeRequested | StageStarted | StageCompleted):
        _add_pipeline(rows, record, event)
    elif isinstance(event, ResourceSample):
        rows.resource_samples.append(_sample(event))
    elif isinstance(event, WindowAggregated):
        key = (event.stage.label, event.window_seconds, event.hop_seconds, event.window_start)
        rows.windows[key] = _window(event)
    elif isinstance(event, AlertRaised):
        rows.alerts_raised[event.alert_id] = _alert(event)
    elif isinstance(event, AlertResolved):
        rows.alerts_resolved.append((event.alert_id, event.ends_at, event.reason))
    elif isinstance(event, AlertAcknowledged):
        rows.alerts_acknowledged.append(
            (event.alert_id, event.event_time, event.acknowledged_by, event.comment)
        )
    elif isinstance(event, AlertDelivered | AlertDeliveryFailed):
        rows.deliveries.append(delivery_row(event))
    elif isinstance(event, SilenceCreated):
        rows.silences_created[event.silence_id] = silence_row(event)
    elif isinstance(event, SilenceExpired):
        rows.silences_expired.append((event.silence_id, event.expired_at, event.reason))
    elif isinstance(event, LogRecorded):
        rows.logs.append(_log(event))
    elif isinstance(event, HealthChecked):
        rows.health.append(_health(event))


def _add_pipeline(rows: Rows, record: Record[Event], event: SessionEvent) -> None:
    stage = None if isinstance(event, TranscodeRequested) else event.stage.label
    rows.pipeline_events.append(
        (
            event.event_id,
            event_name(event),
            event.event_time,
            event.session_id,
            stage,
            record.topic,
            record.partition,
            record.offset,
            to_json(to_record(event)),
        )
    )
    rows.session_events.append(event)
    if isinstance(event, StageStarted):
        _merge_run(rows, event, {"started_at": event.event_time, "video_count": event.video_count})
    elif isinstance(event, StageCompleted):
        _merge_run(rows, event, _completion(event))
        _count_minute(rows, event)


def _merge_run(rows: Rows, event: StageStarted | StageCompleted, values: dict[str, Any]) -> None:
    key = (event.session_id, event.stage.label, event.attempt)
    run = rows.runs.setdefault(
        key,
        {"session_id": key[0], "stage": key[1], "attempt": key[2], "user_id": event.user_id},
    )
    run.update({name: value for name, value in values.items() if value is not None})


def _completion(event: StageCompleted) -> dict[str, Any]:
    return {
        "started_at": event.started_at,
        "completed_at": event.event_time,
        "success": event.success,
        "duration_seconds": event.duration_seconds,
        "error_code": event.error_code.value if event.error_code else None,
        "error_message": event.error_message,
        "input_size_bytes": event.input_size_bytes,
        "output_size_bytes": event.output_size_bytes,
        "video_count": event.video_count,
        "peak_memory_mb": event.peak_memory_mb,
        "cpu_percent": event.cpu_percent,
    }


def _count_minute(rows: Rows, event: StageCompleted) -> None:
    minute = event.event_time.replace(second=0, microsecond=0)
    code = event.error_code.value if event.error_code and not event.success else ""
    counts = rows.minutes.setdefault((minute, event.stage.label, code), [0, 0, 0, 0.0])
    counts[0] += 1
    counts[1 if event.success else 2] += 1
    counts[3] += event.duration_seconds


def _sample(e: ResourceSample) -> Row:
    return (
        e.event_id,
        e.host,
        e.event_time,
        e.cpu_percent,
        e.memory_percent,
        e.memory_used_mb,
        e.disk_percent,
        e.disk_path,
        e.temp_dir_bytes,
        e.active_sessions,
    )


def _window(e: WindowAggregated) -> Row:
    return (
        e.stage.label,
        e.window_seconds,
        e.hop_seconds,
        e.window_start,
        e.window_end,
        e.attempts,
        e.successes,
        e.failures,
        e.error_rate,
        to_json(dict(e.failures_by_code)),
        e.duration_count,
        e.duration_sum_seconds,
        e.p50_seconds,
        e.p95_seconds,
        e.p99_seconds,
        e.late_events,
        e.closed,
        e.event_time,
    )


def _alert(e: AlertRaised) -> Row:
    return (
        e.alert_id,
        e.fingerprint,
        e.rule,
        e.level.value.lower(),
        e.title,
        e.message,
        e.session_id,
        e.user_id,
        e.stage.label if e.stage else None,
        to_json(dict(e.labels)),
        to_json(dict(e.metadata)),
        e.starts_at,
        e.event_time,
    )


def _log(e: LogRecorded) -> Row:
    return (
        e.event_id,
        e.timestamp,
        e.level.upper(),
        e.logger,
        e.message,
        e.module,
        e.function,
        e.line,
        e.process_id,
        e.thread_id,
        e.producer.service,
        e.producer.host,
        to_json(dict(e.extra)),
    )


def _health(e: HealthChecked) -> Row:
    checks = to_record(e)["checks"]
    return (
        e.event_id,
        e.checked_at,
        e.host,
        e.overall_status,
        e.total_check_time_ms,
        to_json(checks),
    )
