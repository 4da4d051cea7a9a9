"""The four log files of each process, with their levels and rotation."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mediawatch_common.logs.directory import claim_directory
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


def _file_handler(directory: Path, spec: LogFile) -> logging.Handler:
    handler = logging.handlers.RotatingFileHandler(
        directory / spec.name,
        maxBytes=spec.max_bytes,
        backupCount=spec.backups,
        encoding="utf-8",
        delay=True,  # a file is created when it gets its first record, not before
    )
    handler.setLevel(spec.level)
    handler.setFormatter(JsonFormatter())
    if spec.loggers:
        handler.addFilter(_PrefixFilter(spec.loggers))
    return handler


def _filtered(handler: logging.Handler) -> bool:
    return any(isinstance(f, _PrefixFilter) for f in handler.filters)


def configure_logging(
    settings: LogSettings, name: str = "cli", handlers: Sequence[logging.Handler] = ()
) -> Path:
    """Route every logger to the four JSON files of this process (and stderr when enabled).

    The files go to a directory of this process's own under ``LOG_DIR``, named ``name`` (the
    service or command), ``name-2`` when another process holds that one (see
    :func:`claim_directory`); returns it. ``application.log`` takes ``LOG_LEVEL`` and above
    with ``LOG_ROTATION_SIZE`` and ``LOG_BACKUP_COUNT``; the other three keep their own
    levels and sizes. ``handlers`` (e.g. the log shipper) get every record too.
    """
    directory = claim_directory(settings.dir, name)
    level = logging.getLevelName(settings.level)
    application = LogFile("application.log", level, settings.rotation_size, settings.backup_count)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for spec in (application, *LOG_FILES):
        root.addHandler(_file_handler(directory, spec))
    if settings.console:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.getLevelName(settings.console_level))
        console.setFormatter(JsonFormatter())
        root.addHandler(console)
    for handler in handlers:
        root.addHandler(handler)
    # The root level is the lowest level a handler of every logger keeps: a library's debug
    # call then returns at once instead of building a record that every handler drops. The
    # media loggers go lower for media_processing.log.
    root.setLevel(min(h.level for h in root.handlers if not _filtered(h)))
    for spec in LOG_FILES:
        for logger in spec.loggers:
            logging.getLogger(logger).setLevel(spec.level if spec.level < root.level else 0)
    for noisy in ("aiokafka", "kafka", "httpx", "httpcore", "asyncio", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return directory
