"""Events in the schemas' JSON form, turned into typed events or refused with the field.

An event is a JSON object with ``type`` (the event's name) and the fields of its ``.avsc``:
timestamps as ISO 8601 strings with a zone (``2026-12-01T10:00:00Z``), uuids as strings,
enum symbols as the schema spells them (``MERGING``), optional fields left out or null.
``event_id`` and ``event_time`` may be left out (a new uuid; the time it arrived), and so may
``producer`` (the caller's account and address). Strings are at most 1,024 characters without
NUL, maps at most 64 entries (:mod:`mediawatch_api.ingest.json_schema` states the same rules
to clients). Anything else is refused, naming the event's index and the field.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mediawatch_api.ingest.json_schema import MAX_MAP_ITEMS, MAX_TEXT
from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.avro.schema import named_types
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
    schema, names = _contract(registry, name)
    record = {key: value for key, value in item.items() if key != "type"}
    record.setdefault("event_id", str(uuid.uuid4()))
    record.setdefault("event_time", now)
    record["producer"] = _producer(index, record.get("producer"), producer)
    for field in schema["fields"]:
        key = field["name"]
        if key in record and isinstance(record[key], str):
            record[key] = _timestamp(record[key], field["type"])
        elif key in record and isinstance(record[key], float) and record[key].is_integer():
            record[key] = _integral(record[key], field["type"])
    try:
        _check_limits(record, "")
        check_datum(record, schema, names)
    except MismatchError as exc:
        raise InvalidEventError(index, exc.path, exc.detail) from None
    event = from_record(name, record)
    role, key_field = INGESTIBLE[name]
    return Parsed(event, role, str(getattr(event, key_field)))


@functools.lru_cache(maxsize=32)
def _contract(registry: SchemaRegistry, name: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The current schema of event ``name`` and its named types, collected once."""
    schema = registry.current(name).schema
    return schema, named_types(schema)


def _producer(index: int, given: Any, default: Producer) -> dict[str, Any]:
    if given is None:
        return {"service": default.service, "host": default.host, "pid": default.pid}
    if not isinstance(given, Mapping):
        raise InvalidEventError(index, "producer", "expected an object with service, host, pid")
    out = {"service": default.service, "host": default.host, "pid": 0, **given}
    pid = out["pid"]
    if isinstance(pid, float) and pid.is_integer():
        out["pid"] = int(pid)
    return out


def _timestamp(value: str, schema: Any) -> Any:
    """A JSON string as a timestamp field wants it: parsed when it is one, else unchanged."""
    for branch in schema if isinstance(schema, list) else [schema]:
        if isinstance(branch, dict) and branch.get("logicalType") == "timestamp-micros":
            try:
                moment = datetime.fromisoformat(value)
                # Without a zone the time is ambiguous: left as text, the check refuses it.
                return moment.astimezone(UTC) if moment.tzinfo is not None else value
            except (ValueError, OverflowError):  # not a time, or not one in UTC's range
                return value
    return value


def _integral(value: float, schema: Any) -> Any:
    """``3.0`` for an int or long field is the integer 3, as JSON Schema counts it."""
    branches = schema if isinstance(schema, list) else [schema]
    return int(value) if any(b in ("int", "long") for b in branches) else value


def _check_limits(value: Any, path: str) -> None:
    """Strings, map keys and maps within the limits the JSON Schema states."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT or "\x00" in value:
            raise MismatchError(path, f"strings are at most {MAX_TEXT} characters, without NUL")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise MismatchError(path, "not valid Unicode (a lone surrogate)") from None
    elif isinstance(value, Mapping):
        if len(value) > MAX_MAP_ITEMS and path:
            raise MismatchError(path, f"at most {MAX_MAP_ITEMS} entries")
        for key, item in value.items():
            _check_limits(key, path)
            _check_limits(item, f"{path}.{key}" if path else str(key))
