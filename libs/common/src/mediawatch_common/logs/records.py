"""A ``logging.LogRecord`` as the ``LogRecorded`` event the logs topic carries."""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mediawatch_common.events import LogRecorded, Producer, Scalar
from mediawatch_common.logs.formatter import record_extra

LONG = 2**63
MAX_TEXT = 8192
"""Characters kept of one string value (a traceback, a long message)."""


_PLAIN = frozenset({float, bool, type(None)})


def _scalar(value: Any) -> Scalar:
    kind = type(value)
    if kind in _PLAIN:
        return value  # type: ignore[no-any-return]
    if kind is str:
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT]  # type: ignore[no-any-return]
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if -LONG <= value < LONG else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return json.dumps(list(value), default=str)[:MAX_TEXT]
    return str(value)[:MAX_TEXT]


def flatten(extra: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """``extra`` as a flat map of scalars: nested keys joined by dots, lists as JSON text."""
    flat: dict[str, Scalar] = {}
    for key, value in extra.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = _scalar(value)
    return flat


def event_extra(record: logging.LogRecord) -> dict[str, Scalar]:
    """The event's ``extra``: the record's, flattened, and a traceback under ``exception``."""
    extra = flatten(record_extra(record))
    if record.exc_info:
        extra["exception"] = logging.Formatter().formatException(record.exc_info)[-MAX_TEXT:]
    return extra


def log_event(record: logging.LogRecord, message: str, producer: Producer) -> LogRecorded:
    """The event of one record; a traceback goes under ``extra["exception"]``."""
    extra = event_extra(record)
    return LogRecorded(
        producer=producer,
        timestamp=datetime.fromtimestamp(record.created, tz=UTC),
        level=record.levelname,
        logger=record.name,
        message=message[:MAX_TEXT],
        module=record.module,
        function=record.funcName or "",
        line=record.lineno,
        process_id=record.process or 0,
        thread_id=record.thread or 0,
        extra=extra,
    )
