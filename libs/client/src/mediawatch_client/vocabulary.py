"""Stages, alert levels and error codes, named as the contract names them."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class ProcessingStage(StrEnum):
    """The seven stages of a media pipeline, in order; ``value`` is the lower-case name."""

    UPLOAD = "upload"
    ANALYSIS = "analysis"
    PREPARATION = "preparation"
    MERGING = "merging"
    COMPRESSION = "compression"
    STORAGE_UPLOAD = "storage_upload"
    CLEANUP = "cleanup"


class AlertLevel(StrEnum):
    """Alert severities, from informational to service-wide."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class ErrorCode(StrEnum):
    """Why a stage failed; ``value`` is the symbol carried by ``StageCompleted.error_code``."""

    FFMPEG_FAILED = "FFMPEG_FAILED"
    STORAGE_UPLOAD_FAILED = "STORAGE_UPLOAD_FAILED"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    TIMEOUT_ERROR = "TIMEOUT_ERROR"
    FFPROBE_FAILED = "FFPROBE_FAILED"
    NO_VIDEO_STREAM = "NO_VIDEO_STREAM"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_MEDIA = "UNSUPPORTED_MEDIA"
    CLEANUP_FAILED = "CLEANUP_FAILED"
    WORKER_LOST = "WORKER_LOST"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    UNKNOWN = "UNKNOWN"


def _member(kind: type[E], what: str, value: object) -> E:
    """``value`` as a member of ``kind``: the member itself, or its name in any case.

    Every member's name is its value upper-cased or the value itself, so one lookup by name
    covers names and values alike.

    Raises:
        ValueError: ``value`` names no member, listing the names there are.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str) and value.upper() in kind.__members__:
        return kind[value.upper()]
    names = ", ".join(kind.__members__)
    raise ValueError(f"unknown {what} {value!r}; expected one of {names}")


def as_stage(value: object) -> ProcessingStage:
    """``value`` as a stage: a member, its name (``"MERGING"``) or its value (``"merging"``).

    Raises:
        ValueError: ``value`` names no stage.
    """
    return _member(ProcessingStage, "stage", value)


def as_error_code(value: object) -> ErrorCode:
    """``value`` as an error code (member or symbol, any case).

    Raises:
        ValueError: ``value`` names no error code.
    """
    return _member(ErrorCode, "error code", value)


def as_level(value: object) -> AlertLevel:
    """``value`` as an alert level (member, name or value, any case).

    Raises:
        ValueError: ``value`` names no level.
    """
    return _member(AlertLevel, "alert level", value)
