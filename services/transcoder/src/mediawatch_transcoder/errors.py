"""Stage failures and their classification into the contract's error codes."""

from __future__ import annotations

from mediawatch_common.events import ErrorCode

MAX_MESSAGE = 500


class StageError(Exception):
    """A stage could not produce its output; carries the code reported in StageCompleted."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SessionAbandonedError(RuntimeError):
    """The worker is stopping: the session was abandoned and must be delivered again."""


class EventsNotAcknowledgedError(RuntimeError):
    """Kafka has not acknowledged a session's events yet: its job must not be committed."""


def tail(text: str, limit: int = MAX_MESSAGE) -> str:
    """The last ``limit`` characters of a tool's output, where the real error usually is."""
    text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def classify(exc: BaseException) -> tuple[ErrorCode, str]:
    """The error code and message a stage reports for ``exc``."""
    if isinstance(exc, StageError):
        return exc.code, exc.message
    if isinstance(exc, SessionAbandonedError):
        return ErrorCode.WORKER_LOST, str(exc) or "worker stopping: stage abandoned"
    if isinstance(exc, TimeoutError):
        return ErrorCode.TIMEOUT_ERROR, str(exc) or "stage timed out"
    if isinstance(exc, MemoryError):
        return ErrorCode.INTERNAL_ERROR, "out of memory"
    return ErrorCode.INTERNAL_ERROR, tail(f"{type(exc).__name__}: {exc}")
