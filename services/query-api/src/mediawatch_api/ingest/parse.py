"""Events in the schemas' JSON form, turned into typed events or refused with the field.

An event is a JSON object with ``type`` (the event's name) and the fields of its ``.avsc``:
timestamps as ISO 8601 strings with a zone (``2026-12-01T10:00:00Z``), uuids as strings,
enum symbols in any case, optional fields left out or null. ``event_id`` and ``event_time``
may be left out (a new uuid; the time it arrived), and so may ``producer`` (the caller's
account and address). Anything else that does not fit the schema is refused, naming the event's
index and the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.avro.validate import MismatchError, check_datum
from mediawatch_common.events import Event, Producer, from_record

Role = Literal["pipeline", "resources", "alerts"]

INGESTIBLE: Mapping[str, tuple[Role, str]] = {
    "StageStarted": ("pipeline", "session_id"),
    "StageCompleted": ("pipeline", "session_id"),
    "ResourceSample": ("resources", "host"),
    "CustomAlertReported": ("alerts", "alert_type"),
}
"""Event types a pipeline may send: the topic role each goes to and the field keying it."""

_ENUMS = frozenset({"io.mediawatch.events.Stage", "io.mediawatch.events.ErrorCode",
                    "io.mediawatch.events.AlertLevel"})  # fmt: skip


class InvalidEventError(ValueError):
    """Event ``index`` of the batch does not fit the contract at ``field``."""

    def __init__(self, index: int, field: str, detail: str) -> None:
        self.index = index
        self.field = field
        self.detail = detail
        where = f"events[{index}]" + (f".{field}" if field else "")
        super().__init__(f"{where}: {detail}")


@dataclass(frozen=True, slots=True)
class Parsed:
    """One accepted event, the topic role it goes to and its message key."""

    event: Event
    role: Role
    key: str


def parse_batch(
    items: Sequence[Any], registry: SchemaRegistry, producer: Producer, now: datetime
) -> list[Parsed]:
    """Every event of the batch, or :class:`InvalidEventError` for the first that is wrong."""
    return [_parse(index, item, registry, producer, now) for index, item in enumerate(items)]


def _parse(
    index: int, item: Any, registry: SchemaRegistry, producer: Producer, now: datetime
) -> Parsed:
    if not isinstance(item, Mapping):
        raise InvalidEventError(index, "", "an event is a JSON object")
    name = item.get("type")
    if not isinstance(name, str) or name not in INGESTIBLE:
        kinds = ", ".join(INGESTIBLE)
        raise InvalidEventError(index, "type", f"{name!r} is not one of {kinds}")
    schema = registry.current(name).schema
    record = {key: value for key, value in item.items() if key != "type"}
    record.setdefault("event_id", str(uuid.uuid4()))
    record.setdefault("event_time", now)
    record["producer"] = _producer(index, record.get("producer"), producer)
    for field in schema["fields"]:
        key = field["name"]
        if key in record and isinstance(record[key], str):
            record[key] = _from_text(record[key], field["type"])
    try:
        check_datum(record, schema)
    except MismatchError as exc:
        raise InvalidEventError(index, exc.path, exc.detail) from None
    event = from_record(name, record)
    role, key_field = INGESTIBLE[name]
    return Parsed(event, role, str(getattr(event, key_field)))


def _producer(index: int, given: Any, default: Producer) -> dict[str, Any]:
    if given is None:
        return {"service": default.service, "host": default.host, "pid": default.pid}
    if not isinstance(given, Mapping):
        raise InvalidEventError(index, "producer", "expected an object with service, host, pid")
    return {"service": default.service, "host": default.host, "pid": 0, **given}


def _from_text(value: str, schema: Any) -> Any:
    """A JSON string as the schema's type wants it: timestamps parsed, enum symbols upper."""
    for branch in schema if isinstance(schema, list) else [schema]:
        if isinstance(branch, dict) and branch.get("logicalType") == "timestamp-micros":
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value
        if (isinstance(branch, str) and branch in _ENUMS) or (
            isinstance(branch, dict) and branch.get("type") == "enum"
        ):
            return value.upper()
    return value
