"""How a replayed event is shown: a timeline line for people, a JSON line for tools."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from rich.markup import escape

from mediawatch_common.deadletters.letters import DeadLetter
from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    StageCompleted,
    StageStarted,
    to_record,
)
from mediawatch_common.kafka import Record
from mediawatch_common.replay.filters import Replayed

R = TypeVar("R", bound=Replayed)


def json_line(record: Record[R]) -> str:
    """One JSON object: the event's fields (or the dead letter's) plus its type and place in
    the log."""
    event = record.event
    body = {
        "type": type(event).__name__,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        **(_letter(event) if isinstance(event, DeadLetter) else to_record(event)),
    }
    return json.dumps(body, default=_plain, separators=(",", ":"), ensure_ascii=False)


def _letter(letter: DeadLetter) -> dict[str, Any]:
    return {
        "event_time": letter.failed_at,
        "origin_topic": letter.origin_topic,
        "origin_partition": letter.origin_partition,
        "origin_offset": letter.origin_offset,
        "consumer_group": letter.consumer_group,
        "reason": letter.reason,
        "key": letter.key.decode(errors="replace") if letter.key is not None else None,
        "value_hex": letter.value.hex(),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID | Enum):
        return str(value.value if isinstance(value, Enum) else value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def timeline_line(event: Replayed, origin: datetime) -> str:
    """A line of rich markup: time since ``origin``, the event, failures and alerts in colour."""
    offset = (event.event_time - origin).total_seconds()
    stamp = f"{event.event_time:%H:%M:%S.%f}"[:-3]
    head = f"[dim]{stamp}[/dim] [bold]+{offset:8.1f}s[/bold]  {type(event).__name__:<15}"
    return f"{head} {_describe(event)}"


def _describe(event: Replayed) -> str:
    if isinstance(event, DeadLetter):
        where = f"{event.origin_topic}[{event.origin_partition}]@{event.origin_offset}"
        return f"[yellow]{escape(where)}[/yellow] {escape(event.reason)}"
    if isinstance(event, StageStarted):
        return f"{escape(event.session_id)}  {event.stage.label}  attempt {event.attempt}"
    if isinstance(event, StageCompleted):
        where = f"{escape(event.session_id)}  {event.stage.label}  {event.duration_seconds:.1f}s"
        if event.success:
            return f"{where}  [green]ok[/green]"
        code = event.error_code.value if event.error_code else "FAILED"
        return f"{where}  [bold red]{code}[/bold red] {escape(event.error_message or '')}"
    if isinstance(event, AlertRaised):
        colour = {"CRITICAL": "bold magenta", "ERROR": "bold red", "WARNING": "yellow"}.get(
            event.level.value, "cyan"
        )
        return f"[{colour}]ALERT {event.level.value}[/{colour}] {escape(event.title)}"
    if isinstance(event, AlertResolved):
        return f"[green]resolved[/green] {escape(event.alert_id)} ({escape(event.reason)})"
    fields = to_record(event)
    keys = [k for k in fields if k not in {"event_id", "event_time", "producer"}][:4]
    return escape("  ".join(f"{k}={fields[k]}" for k in keys))
