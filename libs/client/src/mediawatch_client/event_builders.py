"""Pure builders of the events the client emits, with the caller's mistakes caught early.

A record is the dict fastavro encodes with the event's schema. Programming errors (a stage
that does not exist, a session id that is not a string, metadata that cannot be encoded)
raise ``TypeError`` or ``ValueError`` here, in the caller's thread, naming the argument.
To keep the caller's part short, times are integers of microseconds since the epoch (what
the schemas' ``timestamp-micros`` holds) and the ``event_id`` is drawn by the sender thread
(:func:`stamped`) just before encoding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from mediawatch_client.vocabulary import ErrorCode, ProcessingStage

MAX_ID_LENGTH = 256
MAX_MESSAGE_LENGTH = 8192
MAX_METADATA_ITEMS = 64
MAX_LABELS = 16
ALERT_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,127}")
MiB = 1024 * 1024
LOST_MESSAGE = "worker lost during the stage; the session was delivered again"

Scalar = None | bool | int | float | str
Micros = int
"""Microseconds since the Unix epoch, UTC."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(value: datetime) -> Micros:
    """``value`` (timezone-aware) in microseconds since the epoch, exactly."""
    return (value - _EPOCH) // _MICROSECOND


def stamped(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with a fresh random ``event_id``, ready to encode."""
    record["event_id"] = uuid4()
    return record


def identifier(name: str, value: object) -> str:
    """A non-empty string of at most ``MAX_ID_LENGTH`` characters."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{name} must have 1 to {MAX_ID_LENGTH} characters")
    return value


def count(name: str, value: object) -> int | None:
    """``None`` or a non-negative int (bools refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def attempt_number(value: object) -> int:
    """An attempt number: an int of at least 1."""
    number = count("attempt", value)
    if number is None or number < 1:
        raise ValueError("attempt must be 1 or more")
    return number


def moment(name: str, value: object) -> datetime:
    """A timezone-aware ``datetime``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(UTC))")
    return value


def measure(name: str, value: object) -> float | None:
    """``None`` or a finite, non-negative number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number or None, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0")
    return float(value)


def metadata_map(value: object) -> dict[str, Scalar]:
    """Metadata as a flat map of scalars (None, bool, int, float, str)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"metadata must be a mapping, not {type(value).__name__}")
    if len(value) > MAX_METADATA_ITEMS:
        raise ValueError(f"metadata has {len(value)} items; at most {MAX_METADATA_ITEMS}")
    out: dict[str, Scalar] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be str, not {type(key).__name__}")
        if item is not None and not isinstance(item, bool | int | float | str):
            raise TypeError(
                f"metadata[{key!r}] is a {type(item).__name__}; use None, bool, int, float or str"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"metadata[{key!r}] must be finite")
        out[key] = item
    return out


def producer(service: str, host: str, pid: int) -> dict[str, Any]:
    """The producer identity every event carries."""
    return {"service": service, "host": host, "pid": pid}


def stage_started(
    *,
    source: dict[str, Any],
    session_id: str,
    user_id: str,
    stage: ProcessingStage,
    attempt: int,
    at: Micros | datetime,
    metadata: dict[str, Scalar],
) -> dict[str, Any]:
    """A ``StageStarted`` record carrying ``metadata``; its ``video_count`` and
    ``total_size_bytes`` (or ``total_size_mb``) also fill the fields of those names."""
    total = metadata.get("total_size_bytes")
    if total is None and isinstance(metadata.get("total_size_mb"), int | float):
        total = round(float(metadata["total_size_mb"]) * MiB)  # type: ignore[arg-type]
    return {
        "event_time": at,
        "producer": source,
        "session_id": session_id,
        "user_id": user_id,
        "stage": stage.name,
        "attempt": attempt,
        "video_count": count("metadata['video_count']", metadata.get("video_count")),
        "total_size_bytes": count("metadata['total_size_bytes']", total),
        "metadata": metadata,
    }


def stage_completed(
    *,
    source: dict[str, Any],
    session_id: str,
    user_id: str,
    stage: ProcessingStage,
    attempt: int,
    started_at: Micros | datetime,
    at: Micros | datetime,
    success: bool,
    duration_seconds: float,
    error_code: ErrorCode | None,
    error_message: str | None,
    sizes: Mapping[str, int | None],
    video_count: int | None,
    peak_memory_mb: float | None,
    cpu_percent: float | None,
    metadata: dict[str, Scalar] | None = None,
) -> dict[str, Any]:
    """A ``StageCompleted`` record. A failure without a code is ``UNKNOWN``."""
    if not isinstance(success, bool):
        raise TypeError(f"success must be a bool, not {type(success).__name__}")
    if error_message is not None and not isinstance(error_message, str):
        raise TypeError(f"error_message must be a str or None, not {type(error_message).__name__}")
    code = None if success else (error_code or ErrorCode.UNKNOWN)
    return {
        "event_time": at,
        "producer": source,
        "session_id": session_id,
        "user_id": user_id,
        "stage": stage.name,
        "attempt": attempt,
        "started_at": started_at,
        "success": success,
        "duration_seconds": duration_seconds,
        "error_code": code.value if code else None,
        "error_message": None if success else (error_message or None),
        "input_size_bytes": sizes.get("input_size_bytes"),
        "output_size_bytes": sizes.get("output_size_bytes"),
        "video_count": video_count,
        "peak_memory_mb": peak_memory_mb,
        "cpu_percent": cpu_percent,
        "metadata": metadata or {},
    }


def alert_type_name(value: object) -> str:
    """An alert type: a letter, then up to 127 letters, digits or ``_.:-``."""
    if not isinstance(value, str):
        raise TypeError(f"alert_type must be a str, not {type(value).__name__}")
    if not ALERT_TYPE.fullmatch(value):
        raise ValueError(f"alert_type {value!r} must match {ALERT_TYPE.pattern}")
    return value


def label_map(value: object) -> dict[str, str]:
    """Labels: at most ``MAX_LABELS`` pairs of non-empty strings."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"labels must be a mapping, not {type(value).__name__}")
    if len(value) > MAX_LABELS:
        raise ValueError(f"{len(value)} labels; at most {MAX_LABELS}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"label {key!r} must map a str to a str")
        identifier(f"label {key!r}", item)
        out[key] = item
    return out


def custom_alert(
    *,
    source: dict[str, Any],
    at: Micros | datetime,
    alert_type: str,
    level: str,
    resolved: bool,
    labels: dict[str, str],
    context: dict[str, Scalar],
    message: str | None,
    session_id: str | None,
    user_id: str | None,
) -> dict[str, Any]:
    """A ``CustomAlertReported`` record."""
    return {
        "event_time": at,
        "producer": source,
        "alert_type": alert_type,
        "level": level,
        "resolved": resolved,
        "labels": labels,
        "context": context,
        "message": message,
        "session_id": session_id,
        "user_id": user_id,
    }
