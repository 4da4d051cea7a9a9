"""``logs/recent``: recent log records of every service, filtered."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from mediawatch_common.replay import parse_bound

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class LogQuery:
    """Which records to answer; every given criterion must hold."""

    lines: int = 100
    level: str | None = None
    service: str | None = None
    host: str | None = None
    session_id: str | None = None
    since: datetime | None = None


def parse_since(value: str, now: datetime) -> datetime:
    """An ISO time (``2026-12-07T10:00:00Z``) or an age (``90m``, ``2h``, ``7d``) before ``now``.

    Raises:
        ValueError: with the accepted forms.
    """
    accepted = "an ISO time like 2026-12-07T10:00:00Z or an age like 90m, 2h or 7d"
    try:
        bound = parse_bound(value, now)
    except ValueError:
        raise ValueError(f"not a time or an age: {value!r} (use {accepted})") from None
    if bound.time is None:
        raise ValueError(f"not a time or an age: {value!r} (use {accepted})")
    return bound.time


_COLUMNS = (
    'SELECT "timestamp", level, logger, message, module, function, line, process_id, '
    "thread_id, extra, service, host FROM log_records"
)


def _where(query: LogQuery) -> tuple[str, dict[str, Any]]:
    levels = LEVELS[LEVELS.index(query.level) :] if query.level else LEVELS
    clauses, params = ["level = ANY(:levels)"], {"levels": list(levels), "n": query.lines}
    for column, value in (("service", query.service), ("host", query.host)):
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if query.session_id is not None:
        clauses.append("extra->>'session_id' = :session_id")
        params["session_id"] = query.session_id
    if query.since is not None:
        clauses.append('"timestamp" >= :since')
        params["since"] = query.since
    return " AND ".join(clauses), params


def recent_logs(conn: Connection, query: LogQuery) -> dict[str, Any]:
    """The newest ``lines`` records matching ``query``, oldest first."""
    where, params = _where(query)
    rows = conn.execute(
        text(f'{_COLUMNS} WHERE {where} ORDER BY "timestamp" DESC LIMIT :n'),
        params,
    ).fetchall()
    logs = [
        {
            "timestamp": r.timestamp,
            "level": r.level,
            "logger": r.logger,
            "message": r.message,
            "module": r.module,
            "function": r.function,
            "line": r.line,
            "process_id": r.process_id,
            "thread_id": r.thread_id,
            "extra": r.extra,
            "service": r.service,
            "host": r.host,
        }
        for r in reversed(rows)
    ]
    return {"logs": logs, "total": len(logs), "filters": asdict(query)}
