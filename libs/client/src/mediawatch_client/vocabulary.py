"""Stages, alert levels and error codes, named as the contract names them."""

from __future__ import annotations

from enum import StrEnum


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


def as_stage(value: object) -> ProcessingStage:
    """``value`` as a stage: a member, its name (``"MERGING"``) or its value (``"merging"``).

    Raises:
        ValueError: ``value`` names no stage.
    """
    if isinstance(value, ProcessingStage):
        return value
    if isinstance(value, str):
        try:
            return ProcessingStage[value.upper()]
        except KeyError:
            pass
    names = ", ".join(s.name for s in ProcessingStage)
    raise ValueError(f"unknown stage {value!r}; expected one of {names}")


def as_error_code(value: object) -> ErrorCode:
    """``value`` as an error code (member or symbol, any case).

    Raises:
        ValueError: ``value`` names no error code.
    """
    if isinstance(value, ErrorCode):
        return value
    if isinstance(value, str):
        try:
            return ErrorCode[value.upper()]
        except KeyError:
            pass
    names = ", ".join(c.name for c in ErrorCode)
    raise ValueError(f"unknown error code {value!r}; expected one of {names}")


def as_level(value: object) -> AlertLevel:
    """``value`` as an alert level (member, name or value, any case).

    Raises:
        ValueError: ``value`` names no level.
    """
    if isinstance(value, AlertLevel):
        return value
    if isinstance(value, str):
        try:
            return AlertLevel(value.lower())
        except ValueError:
            pass
    names = ", ".join(level.name for level in AlertLevel)
    raise ValueError(f"unknown alert level {value!r}; expected one of {names}")
