"""Conversion between typed events and the plain records the Avro codec reads and writes.

Driven by :func:`dataclasses.fields` and the type hints, so a new event or field needs no
conversion code: enums become their symbols, nested dataclasses become records, tuples
become arrays, and back.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from mediawatch_common.events.models import EVENT_TYPES, Event

T = TypeVar("T")


def event_name(event: Event) -> str:
    """Returns the Avro short name of an event, e.g. ``StageCompleted``."""
    return type(event).__name__


def to_record(event: Event) -> dict[str, Any]:
    """Converts an event to the record the codec encodes."""
    return _record_of(event)


def from_record(name: str, record: Mapping[str, Any]) -> Event:
    """Builds the event ``name`` from a decoded record.

    Raises:
        KeyError: ``name`` is not an event of this contract.
        TypeError: A field without default is missing from ``record``.
        ValueError: An enum field holds an unknown symbol.
    """
    return _build(EVENT_TYPES[name], record)


def _record_of(obj: Any) -> dict[str, Any]:
    return {f.name: _to_avro(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _to_avro(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record_of(value)
    if isinstance(value, list | tuple):
        return [_to_avro(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _to_avro(item) for key, item in value.items()}
    return value


def _build(cls: type[T], record: Mapping[str, Any]) -> T:
    hints = _hints(cls)
    values = {
        f.name: _from_avro(hints[f.name], record[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in record
    }
    return cls(**values)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _from_avro(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        # Optional[X] converts as X; unions of scalars (map values) need no conversion.
        return _from_avro(members[0], value) if len(members) == 1 else value
    if origin is tuple:
        return tuple(_from_avro(typing.get_args(hint)[0], item) for item in value)
    if origin in (Mapping, dict):
        value_hint = typing.get_args(hint)[1]
        return {key: _from_avro(value_hint, item) for key, item in value.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _build(hint, value)
    if hint is UUID and isinstance(value, str):
        return UUID(value)
    return value
