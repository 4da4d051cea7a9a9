"""``MediaMonitor``: the calls a pipeline makes around each stage, and where they go."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from mediawatch_client.attempts import AttemptBook
from mediawatch_client.config import ClientConfig
from mediawatch_client.contract import event_schema
from mediawatch_client.custom_alerts import CustomAlerts
from mediawatch_client.event_builders import (
    LOST_MESSAGE,
    MAX_MESSAGE_LENGTH,
    attempt_number,
    count,
    identifier,
    measure,
    metadata_map,
    micros,
    moment,
    stage_completed,
    stage_started,
)
from mediawatch_client.resources import HostSample, resource_sample
from mediawatch_client.stage_scope import StageScope, tracked
from mediawatch_client.vocabulary import (
    ErrorCode,
    ProcessingStage,
    as_error_code,
    as_stage,
)

log = logging.getLogger("mediawatch_client")
_STARTED = event_schema("StageStarted")
_COMPLETED = event_schema("StageCompleted")

P = ParamSpec("P")
R = TypeVar("R")


class MediaMonitor(CustomAlerts):
    """Reports a pipeline's stages to Mediawatch without ever blocking or failing it.

    Every call validates its arguments (a mistake raises ``TypeError``/``ValueError`` at
    once), builds the event and hands it to a background sender; it never waits for Kafka.
    While Kafka is unreachable, events wait in a durable local spool and are sent, in order,
    when it returns or when the process starts again. ``close()`` (also run at exit and on
    SIGTERM) sends or spools what is queued within ``close_timeout`` seconds.
    """

    def __init__(self, config: ClientConfig | None = None, **overrides: Any) -> None:
        """Configure the monitor: from ``config``, else the environment; ``overrides`` win.

        Args:
            config: Explicit settings; :meth:`ClientConfig.from_env` when omitted.
            overrides: Fields of :class:`ClientConfig` to replace, e.g.
                ``bootstrap_servers="kafka:9092"``.
        """
        self._book = AttemptBook()
        super().__init__(config, **overrides)
        self._pipeline_topic = self.config.pipeline_topic

    # -- the stage calls, async -------------------------------------------------------------

    async def start_processing(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        metadata: Mapping[str, Any] | None = None,
        *,
        attempt: int | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """A session entered ``stage``; returns the attempt number. See the sync twin."""
        return self.start_processing_sync(
            session_id, user_id, stage, metadata, attempt=attempt, started_at=started_at
        )

    async def complete_processing(
        self,
        session_id: str,
        stage: ProcessingStage | str,
        success: bool,
        file_size_bytes: int | None = None,
        video_count: int | None = None,
        error_message: str | None = None,
        error_code: ErrorCode | str | None = None,
        **more: Any,
    ) -> None:
        """A session left ``stage``. See :meth:`complete_processing_sync`."""
        self.complete_processing_sync(
            session_id,
            stage,
            success,
            file_size_bytes,
            video_count,
            error_message,
            error_code,
            **more,
        )

    # -- sync twins ------------------------------------------------------------------------

    def start_processing_sync(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        metadata: Mapping[str, Any] | None = None,
        *,
        attempt: int | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Emit ``StageStarted``; returns the attempt number (1, then 2 on a retry...).

        ``metadata`` is a flat map of scalars (at most 64), kept in the event; its
        ``video_count`` and ``total_size_bytes`` (or ``total_size_mb``) also fill the
        event's fields of those names. ``attempt`` overrides the count this process keeps
        (a session taken over from another process continues that process's count), and
        ``started_at`` (timezone-aware) the time of the start, which is now by default.
        """
        session = identifier("session_id", session_id)
        user = identifier("user_id", user_id)
        which = as_stage(stage)
        meta = metadata_map(metadata)
        given = attempt_number(attempt) if attempt is not None else None
        now = time.time_ns() // 1000
        at = micros(moment("started_at", started_at)) if started_at is not None else now
        mono = time.monotonic() - max(0, now - at) / 1e6
        number = self._book.start(session, which, user, at, mono, given)
        record = stage_started(
            source=self._source(),
            session_id=session,
            user_id=user,
            stage=which,
            attempt=number,
            at=at,
            metadata=meta,
        )
        self._emit(_STARTED, self._pipeline_topic, session, record)
        return number

    def complete_processing_sync(
        self,
        session_id: str,
        stage: ProcessingStage | str,
        success: bool,
        file_size_bytes: int | None = None,
        video_count: int | None = None,
        error_message: str | None = None,
        error_code: ErrorCode | str | None = None,
        *,
        user_id: str | None = None,
        input_size_bytes: int | None = None,
        duration_seconds: float | None = None,
        peak_memory_mb: float | None = None,
        cpu_percent: float | None = None,
        metadata: Mapping[str, Any] | None = None,
        attempt: int | None = None,
        started_at: datetime | None = None,
    ) -> None:
        """Emit ``StageCompleted`` for the open attempt of (session, stage).

        The duration is measured from the matching start unless ``duration_seconds`` is
        given. ``attempt`` and ``started_at`` name the attempt explicitly (for a process
        that knows them better than this one's bookkeeping). A completion without a start,
        and without both of those, still emits a valid event (attempt 1 or the last one
        seen, ``user_id`` as given or ``"unknown"``) and logs a warning naming both.
        A failure without ``error_code`` is recorded as ``UNKNOWN``.
        """
        session = identifier("session_id", session_id)
        which = as_stage(stage)
        if not isinstance(success, bool):
            raise TypeError(f"success must be a bool, not {type(success).__name__}")
        code = as_error_code(error_code) if error_code is not None else None
        if error_message is not None and not isinstance(error_message, str):
            raise TypeError(f"error_message must be a str, not {type(error_message).__name__}")
        user = identifier("user_id", user_id) if user_id is not None else None
        given = attempt_number(attempt) if attempt is not None else None
        began = micros(moment("started_at", started_at)) if started_at is not None else None
        duration = measure("duration_seconds", duration_seconds)
        now = time.time_ns() // 1000
        opened = self._book.complete(session, which)
        if opened is not None and given in (None, opened.attempt):
            number, began = opened.attempt, began or opened.started_at
            if duration is None and began is opened.started_at:
                duration = time.monotonic() - opened.started_monotonic
        else:
            if given is None or began is None:
                log.warning(
                    "complete_processing without start_processing",
                    extra={"session_id": session, "stage": which.value},
                )
            number = given or max(self._book.last_attempt(session, which), 1)
            if began is None:
                began = now - round((duration or 0.0) * 1e6)
        if duration is None:
            duration = max(0, now - began) / 1e6
        record = stage_completed(
            source=self._source(),
            session_id=session,
            user_id=user or (opened.user_id if opened else "unknown"),
            stage=which,
            attempt=number,
            started_at=began,
            at=now,
            success=success,
            duration_seconds=duration,
            error_code=code,
            error_message=error_message[:MAX_MESSAGE_LENGTH] if error_message else None,
            sizes={
                "input_size_bytes": count("input_size_bytes", input_size_bytes),
                "output_size_bytes": count("file_size_bytes", file_size_bytes),
            },
            video_count=count("video_count", video_count),
            peak_memory_mb=measure("peak_memory_mb", peak_memory_mb),
            cpu_percent=measure("cpu_percent", cpu_percent),
            metadata=metadata_map(metadata),
        )
        self._emit(_COMPLETED, self._pipeline_topic, session, record)

    def complete_lost_stage_sync(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        attempt: int,
        started_at: datetime,
        *,
        video_count: int | None = None,
        error_message: str = LOST_MESSAGE,
    ) -> None:
        """Close a stage whose process died before completing it: a ``WORKER_LOST`` failure.

        For a process that takes a session over from one that was killed: it reads the
        stage's start (attempt and time) from the pipeline topic, reports the lost
        attempt's completion with this call, then starts its own attempt, numbered after it.
        """
        session = identifier("session_id", session_id)
        which = as_stage(stage)
        number = attempt_number(attempt)
        began = micros(moment("started_at", started_at))
        now = time.time_ns() // 1000
        self._book.seen(session, which, number)
        record = stage_completed(
            source=self._source(),
            session_id=session,
            user_id=identifier("user_id", user_id),
            stage=which,
            attempt=number,
            started_at=began,
            at=now,
            success=False,
            duration_seconds=max(0, now - began) / 1e6,
            error_code=ErrorCode.WORKER_LOST,
            error_message=error_message[:MAX_MESSAGE_LENGTH],
            sizes={},
            video_count=count("video_count", video_count),
            peak_memory_mb=None,
            cpu_percent=None,
        )
        self._emit(_COMPLETED, self._pipeline_topic, session, record)

    async def complete_lost_stage(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        attempt: int,
        started_at: datetime,
        **more: Any,
    ) -> None:
        """A stage's process died during it. See :meth:`complete_lost_stage_sync`."""
        self.complete_lost_stage_sync(session_id, user_id, stage, attempt, started_at, **more)

    # -- resources -------------------------------------------------------------------------

    def report_resources_sync(self, sample: HostSample, host: str | None = None) -> None:
        """Emit a ``ResourceSample`` of ``host`` (default: this one), keyed by the host.

        The alerter's resource rules (CPU, memory, disk) and the dashboard read these;
        a worker reports one every few seconds.
        """
        name = identifier("host", host) if host is not None else self.host
        record = resource_sample(source=self._source(), host=name, at=time.time_ns() // 1000,
                                 sample=sample)  # fmt: skip
        self._emit(event_schema("ResourceSample"), self.config.resources_topic, name, record)

    async def report_resources(self, sample: HostSample, host: str | None = None) -> None:
        """A host's resources. See :meth:`report_resources_sync`."""
        self.report_resources_sync(sample, host)

    # -- measured stages -------------------------------------------------------------------

    def stage(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        metadata: Mapping[str, Any] | None = None,
    ) -> StageScope:
        """A context manager (``with``/``async with``) that reports the block as ``stage``."""
        return StageScope(
            self,
            identifier("session_id", session_id),
            identifier("user_id", user_id),
            as_stage(stage),
            dict(metadata) if metadata else None,
        )

    def track(self, stage: ProcessingStage | str) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Decorate a function (sync or async) whose ``session_id`` and ``user_id``
        arguments name the session; each call is reported as ``stage``."""
        return tracked(self.stage, as_stage(stage))
