"""The four log files of the monitoring guide, with their levels and rotation."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from dataclasses import dataclass

from mediawatch_common.logs.formatter import JsonFormatter
from mediawatch_common.settings import LogSettings

MEDIA_LOGGERS = ("mediawatch_transcoder", "mediawatch.media")
PERFORMANCE_LOGGERS = ("mediawatch.performance",)


@dataclass(frozen=True, slots=True)
class LogFile:
    """One rotating file: which records it keeps and how it rotates."""

    name: str
    level: int
    max_bytes: int
    backups: int
    loggers: tuple[str, ...] = ()  # empty: every logger


LOG_FILES = (
    LogFile("media_processing.log", logging.DEBUG, 100 * 1024**2, 10, MEDIA_LOGGERS),
    LogFile("errors.log", logging.ERROR, 20 * 1024**2, 5),
    LogFile("performance.log", logging.WARNING, 20 * 1024**2, 3, PERFORMANCE_LOGGERS),
)


class _PrefixFilter(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self._prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return any(record.name == p or record.name.startswith(p + ".") for p in self._prefixes)


def _file_handler(settings: LogSettings, spec: LogFile) -> logging.Handler:
    handler = logging.handlers.RotatingFileHandler(
        settings.dir / spec.name,
        maxBytes=spec.max_bytes,
        backupCount=spec.backups,
        encoding="utf-8",
    )
    handler.setLevel(spec.level)
    handler.setFormatter(JsonFormatter())
    if spec.loggers:
        handler.addFilter(_PrefixFilter(spec.loggers))
    return handler


def _filtered(handler: logging.Handler) -> bool:
    return any(isinstance(f, _PrefixFilter) for f in handler.filters)


def configure_logging(settings: LogSettings) -> None:
    """Route every logger to the four JSON files (and stderr when enabled).

    ``application.log`` takes ``LOG_LEVEL`` and above with ``LOG_ROTATION_SIZE`` and
    ``LOG_BACKUP_COUNT``; the other three keep the guide's own levels and sizes.
    """
    settings.dir.mkdir(parents=True, exist_ok=True)
    level = logging.getLevelName(settings.level)
    application = LogFile("application.log", level, settings.rotation_size, settings.backup_count)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for spec in (application, *LOG_FILES):
        root.addHandler(_file_handler(settings, spec))
    if settings.console:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.getLevelName(settings.console_level))
        console.setFormatter(JsonFormatter())
        root.addHandler(console)
    # The root level is the lowest level a handler of every logger keeps: a library's debug
    # call then returns at once instead of building a record that every handler drops. The
    # media loggers go lower for media_processing.log.
    root.setLevel(min(h.level for h in root.handlers if not _filtered(h)))
    for spec in LOG_FILES:
        for name in spec.loggers:
            logging.getLogger(name).setLevel(spec.level if spec.level < root.level else 0)
    for noisy in ("aiokafka", "kafka", "httpx", "httpcore", "asyncio", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
