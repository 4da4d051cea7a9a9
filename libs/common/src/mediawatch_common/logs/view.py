"""Which shipped records an operator asked for, and how one is printed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from mediawatch_common.events import LogRecorded

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Every given criterion must hold; an empty filter keeps every record."""

    level: str | None = None
    service: str | None = None
    host: str | None = None
    session_id: str | None = None
    since: datetime | None = None

    def matches(self, event: LogRecorded) -> bool:
        """True when ``event`` passes every criterion that was given."""
        if self.level and _rank(event.level) < _rank(self.level):
            return False
        if self.since is not None and event.timestamp < self.since:
            return False
        return (
            self.service in (None, event.producer.service)
            and self.host in (None, event.producer.host)
            and self.session_id in (None, event.extra.get("session_id"))
        )


def _rank(level: str) -> int:
    upper = level.upper()
    return LEVELS.index(upper) if upper in LEVELS else len(LEVELS)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_json(event: LogRecorded) -> str:
    """The record as one JSON line, in the files' shape plus service and host."""
    return json.dumps(
        {
            "timestamp": _stamp(event.timestamp),
            "level": event.level,
            "logger": event.logger,
            "message": event.message,
            "module": event.module,
            "function": event.function,
            "line": event.line,
            "process_id": event.process_id,
            "thread_id": event.thread_id,
            "extra": dict(event.extra),
            "service": event.producer.service,
            "host": event.producer.host,
        },
        separators=(",", ":"),
    )


def as_text(event: LogRecorded) -> str:
    """``time LEVEL service@host[pid] logger: message key=value...`` on one line."""
    who = f"{event.producer.service}@{event.producer.host}[{event.producer.pid}]"
    extra = " ".join(
        f"{k}={v}" for k, v in sorted(event.extra.items()) if k != "exception" and v is not None
    )
    line = f"{_stamp(event.timestamp)} {event.level:<8} {who} {event.logger}: {event.message}"
    text = f"{line}  {extra}" if extra else line
    if event.extra.get("exception"):
        text += "\n  " + str(event.extra["exception"]).replace("\n", "\n  ")
    return text
