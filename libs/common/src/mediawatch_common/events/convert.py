"""Conversion between typed events and the plain records the Avro codec reads and writes.

Driven by :func:`dataclasses.fields` and the type hints, so a new event or field needs no
conversion code: enums become their symbols, nested dataclasses become records, tuples
become arrays, and back.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from mediawatch_common.avro import EncodeError
from mediawatch_common.events.models import EVENT_TYPES, Event

T = TypeVar("T")


def event_name(event: Event) -> str:
    """Returns the Avro short name of an event, e.g. ``StageCompleted``."""
    return type(event).__name__


def to_record(event: Event) -> dict[str, Any]:
    """Converts an event to the record the codec encodes.

    Raises:
        EncodeError: A datetime field is naive (it would otherwise be taken as UTC silently).
    """
    try:
        return _record_of(event)
    except _NaiveDatetimeError as exc:
        raise EncodeError(
            event_name(event), exc.field, "naive datetime (give it a timezone)"
        ) from None


def from_record(name: str, record: Mapping[str, Any]) -> Event:
    """Builds the event ``name`` from a decoded record.

    Raises:
        KeyError: ``name`` is not an event of this contract.
        TypeError: A field without default is missing from ``record``.
        ValueError: An enum field holds an unknown symbol.
    """
    return _build(EVENT_TYPES[name], record)


def _record_of(obj: Any) -> dict[str, Any]:
    return {name: write(getattr(obj, name)) for name, write in _writers(type(obj))}


Writer = Callable[[Any], Any]
_WRITERS: dict[type[Any], list[tuple[str, Writer]]] = {}


def _writers(cls: type[Any]) -> list[tuple[str, Writer]]:
    """Per-field converters to Avro values, worked out once from the type hints."""
    if cls not in _WRITERS:
        hints = typing.get_type_hints(cls)
        _WRITERS[cls] = [(f.name, _writer(hints[f.name], f.name)) for f in dataclasses.fields(cls)]
    return _WRITERS[cls]


def _writer(hint: Any, name: str) -> Writer:
    """A function turning the Python value of a field with type ``hint`` into its Avro value."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        inner = _writer(members[0], name) if len(members) == 1 else _identity
        if inner is _identity:
            return _identity
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _writer(typing.get_args(hint)[0], name)
        return lambda value: [item(v) for v in value]
    if origin in (Mapping, dict):
        item = _writer(typing.get_args(hint)[1], name)
        return dict if item is _identity else lambda value: {k: item(v) for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _record_of
    if hint is datetime:
        return lambda value: _aware(value, name)
    return _identity


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class _NaiveDatetimeError(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _aware(value: Any, name: str) -> Any:
    # A naive datetime would silently be taken as UTC by the writer: refuse it instead.
    if isinstance(value, datetime) and value.tzinfo is None:
        raise _NaiveDatetimeError(name)
    return value


def _build(cls: type[T], record: Mapping[str, Any]) -> T:
    return cls(**{name: convert(record[name]) for name, convert in _readers(cls) if name in record})


Reader = Callable[[Any], Any]
_READERS: dict[type[Any], list[tuple[str, Reader]]] = {}


def _readers(cls: type[Any]) -> list[tuple[str, Reader]]:
    """Per-field converters of a dataclass, worked out once from its type hints."""
    if cls not in _READERS:
        hints = typing.get_type_hints(cls)
        _READERS[cls] = [(f.name, _reader(hints[f.name])) for f in dataclasses.fields(cls)]
    return _READERS[cls]


def _identity(value: Any) -> Any:
    return value


def _reader(hint: Any) -> Reader:
    """A function turning the Avro value of a field with type ``hint`` into the Python value."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        # Optional[X] converts as X; unions of scalars (map values) need no conversion.
        inner = _reader(members[0]) if len(members) == 1 else _identity
        if inner is _identity:
            return _identity
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _reader(typing.get_args(hint)[0])
        return lambda value: tuple(item(v) for v in value)
    if origin in (Mapping, dict):
        item = _reader(typing.get_args(hint)[1])
        return dict if item is _identity else lambda value: {k: item(v) for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        nested = hint
        return lambda value: _build(nested, value)
    if hint is UUID:
        return lambda value: value if isinstance(value, UUID) else UUID(value)
    return _identity
