"""Turn a ``logging.LogRecord`` into the project's structured JSON log entry, secrets masked."""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

_FORMATTED = "_mediawatch_json"
# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    _FORMATTED,
}
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|authorization|api[_-]?key|credential", re.I)
MASK = "***"


@functools.lru_cache(maxsize=4096)
def _secret(key: str) -> bool:
    return _SECRET_KEY.search(key) is not None


def _mask(value: Any, key: str = "") -> Any:
    if key and _secret(key):
        return MASK
    if isinstance(value, dict):
        return {k: _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def record_extra(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with ``extra=``, secrets masked."""
    masked: dict[str, Any] = _mask({k: v for k, v in vars(record).items() if k not in _STANDARD})
    return masked


def record_to_dict(record: logging.LogRecord) -> dict[str, Any]:
    """Return the record as a structured log entry (the shape ``docs/logs.md`` describes).

    Fields passed with ``extra=`` land under ``"extra"``; values under keys that look like
    secrets (password, token, authorization...) are replaced by ``***``.
    """
    stamp = datetime.fromtimestamp(record.created, tz=UTC)
    entry: dict[str, Any] = {
        "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
        "module": record.module,
        "function": record.funcName,
        "line": record.lineno,
        "process_id": record.process,
        "thread_id": record.thread,
        "extra": record_extra(record),
    }
    if record.exc_info:
        entry["exception"] = logging.Formatter().formatException(record.exc_info)
    return entry


class JsonFormatter(logging.Formatter):
    """One JSON object per line.

    The line is built once per record and kept on it: a record goes to up to five handlers
    (four files and stderr), and a rotating file formats it twice (to decide on rotation,
    then to write), so building it each time cost most of a ``log.info`` call.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: str | None = record.__dict__.get(_FORMATTED)
        if line is None:
            line = json.dumps(record_to_dict(record), default=str, separators=(",", ":"))
            record.__dict__[_FORMATTED] = line
        return line
