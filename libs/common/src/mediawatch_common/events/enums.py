"""Enumerations of the event contract; values are the Avro enum symbols."""

from __future__ import annotations

from enum import Enum


class Stage(Enum):
    """A video-processing pipeline stage, in pipeline order."""

    UPLOAD = "UPLOAD"
    ANALYSIS = "ANALYSIS"
    PREPARATION = "PREPARATION"
    MERGING = "MERGING"
    COMPRESSION = "COMPRESSION"
    STORAGE_UPLOAD = "STORAGE_UPLOAD"
    CLEANUP = "CLEANUP"

    @property
    def label(self) -> str:
        """Lower-case name used in alert titles, logs and the API, e.g. ``merging``."""
        return self.value.lower()

    @classmethod
    def from_label(cls, label: str) -> Stage:
        """Returns the stage for a label such as ``merging`` (any case).

        Raises:
            ValueError: ``label`` names no stage.
        """
        try:
            return cls(label.upper())
        except ValueError:
            raise ValueError(f"unknown stage label {label!r}") from None


class ErrorCode(Enum):
    """Why a stage failed. Unknown codes from newer producers decode as ``UNKNOWN``."""

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


class AlertLevel(Enum):
    """Alert severity, in increasing order."""

    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"
