"""Turn a batch of consumed events into the rows each table receives (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import (
    AlertAcknowledged,
    AlertDelivered,
    AlertDeliveryFailed,
    AlertRaised,
    AlertResolved,
    DeadLetterRedriven,
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
    encode_event,
    event_name,
    to_record,
)
from mediawatch_common.kafka import Record
from mediawatch_projector.alerting_rows import delivery_row, silence_row, to_json
from mediawatch_projector.batch_rows import Row, Rows
from mediawatch_projector.deadletter_rows import dead_letter_row, redrive_row
from mediawatch_projector.message_decoding import Decoded, plain_values
from mediawatch_projector.pipeline_rows import add_pipeline


def build_rows(records: Sequence[Record[Decoded]]) -> Rows:
    """Group ``records`` (in consumption order) into table rows and the next positions.

    Pipeline events may come as plain records (what the projector decodes) or typed events,
    which are encoded with their current schema for ``pipeline_events.message``.
    """
    rows = Rows()
    positions = rows.positions
    for record in records:
        event = record.event
        if isinstance(event, tuple):
            add_pipeline(rows, record.topic, record.partition, record.offset, *event)
        elif isinstance(event, TranscodeRequested | StageStarted | StageCompleted):
            name = event_name(event)
            plain = (name, plain_values(name, to_record(event)), encode_event(event))
            add_pipeline(rows, record.topic, record.partition, record.offset, *plain)
        elif isinstance(event, DeadLetter):
            rows.dead_letters.append(dead_letter_row(event))
        elif isinstance(event, DeadLetterRedriven):
            rows.redrives.append(redrive_row(record.topic, event))
        else:
            _add(rows, event)
        key = (record.topic, record.partition)
        last = positions.get(key)
        if last is None:
            positions[key] = record.offset + 1
            rows.lows[key] = record.offset
        elif record.offset >= last:
            positions[key] = record.offset + 1
        elif record.offset < rows.lows[key]:  # out of order: never within one consume call
            rows.lows[key] = record.offset
    return rows


def _add(rows: Rows, event: Event) -> None:
    if isinstance(event, ResourceSample):
        rows.resource_samples.append(_sample(event))
    elif isinstance(event, WindowAggregated):
        key = (event.stage.label, event.window_seconds, event.hop_seconds, event.window_start)
        rows.windows[key] = _window(event)
    elif isinstance(event, AlertRaised):
        rows.alerts_raised[event.alert_id] = _alert(event)
    elif isinstance(event, AlertResolved):
        rows.alerts_resolved.append((event.alert_id, event.ends_at, event.reason, event.actor))
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
        e.interval_seconds,
    )
