"""``logs/recent?lines=&level=``: recent log records of every service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def recent_logs(conn: Connection, lines: int, level: str | None) -> dict[str, Any]:
    """The newest ``lines`` records at ``level`` or above (all levels when None), newest last."""
    levels = list(LEVELS[LEVELS.index(level) :]) if level else list(LEVELS)
    rows = conn.execute(
        text(
            'SELECT "timestamp", level, logger, message, module, function, line, process_id, '
            "thread_id, extra, service, host FROM log_records WHERE level = ANY(:levels) "
            'ORDER BY "timestamp" DESC LIMIT :n'
        ),
        {"levels": levels, "n": lines},
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
    return {"logs": logs, "total": len(logs), "filters": {"lines": lines, "level": level}}
