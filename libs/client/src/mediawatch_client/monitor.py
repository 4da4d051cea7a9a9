"""``MediaMonitor``: the calls a pipeline makes around each stage, and where they go."""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from mediawatch_client.attempts import AttemptBook
from mediawatch_client.config import ClientConfig
from mediawatch_client.contract import event_schema
from mediawatch_client.event_builders import (
    MAX_MESSAGE_LENGTH,
    alert_type_name,
    count,
    custom_alert,
    identifier,
    label_map,
    measure,
    metadata_map,
    producer,
    stage_completed,
    stage_started,
)
from mediawatch_client.process_hooks import close_on_sigterm, reset_after_fork
from mediawatch_client.sender import Outgoing, Sender
from mediawatch_client.spool import Spool
from mediawatch_client.stage_scope import StageScope, tracked
from mediawatch_client.vocabulary import (
    AlertLevel,
    ErrorCode,
    ProcessingStage,
    as_error_code,
    as_level,
    as_stage,
)

log = logging.getLogger("mediawatch_client")
# librdkafka's own messages (a broker refusing connections, every retry) go here; the client
# says once that Kafka is unreachable, so they are quiet unless someone lowers this level.
_LIBRDKAFKA = logging.getLogger("mediawatch_client.librdkafka")
if _LIBRDKAFKA.level == logging.NOTSET:
    _LIBRDKAFKA.setLevel(logging.CRITICAL)

P = ParamSpec("P")
R = TypeVar("R")


class MediaMonitor:
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
        base = config if config is not None else ClientConfig.from_env()
        self.config = replace(base, **overrides) if overrides else base
        self._book = AttemptBook()
        self._lock = threading.Lock()
        self._sender: Sender | None = None
        self._pid = os.getpid()
        self._host = socket.gethostname()
        self._source_of = producer(self.config.producer_name, self._host, self._pid)
        reset_after_fork(self)
        # Started now rather than at the first event, so that what an earlier run left in the
        # spool is sent as soon as the process starts.
        self._start_sender()

    # -- the stage calls, async -------------------------------------------------------------

    async def start_processing(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage | str,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """A session entered ``stage``; returns the attempt number. See the sync twin."""
        return self.start_processing_sync(session_id, user_id, stage, metadata)

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
    ) -> int:
        """Emit ``StageStarted``; returns the attempt number (1, then 2 on a retry...).

        ``metadata`` is a flat map of scalars (at most 64), kept in the event; its
        ``video_count`` and ``total_size_bytes`` (or ``total_size_mb``) also fill the
        event's fields of those names.
        """
        session = identifier("session_id", session_id)
        user = identifier("user_id", user_id)
        which = as_stage(stage)
        meta = metadata_map(metadata)
        now = datetime.now(UTC)
        attempt = self._book.start(session, which, user, now, time.monotonic())
        record = stage_started(
            source=self._source(),
            session_id=session,
            user_id=user,
            stage=which,
            attempt=attempt,
            at=now,
            metadata=meta,
        )
        self._emit("StageStarted", self.config.pipeline_topic, session, record)
        return attempt

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
    ) -> None:
        """Emit ``StageCompleted`` for the open attempt of (session, stage).

        The duration is measured from the matching start unless ``duration_seconds`` is
        given. A completion without a start still emits a valid event (attempt 1 or the last
        one seen, ``user_id`` as given or ``"unknown"``) and logs a warning naming both.
        A failure without ``error_code`` is recorded as ``UNKNOWN``.
        """
        session = identifier("session_id", session_id)
        which = as_stage(stage)
        if not isinstance(success, bool):
            raise TypeError(f"success must be a bool, not {type(success).__name__}")
        code = as_error_code(error_code) if error_code is not None else None
        duration = measure("duration_seconds", duration_seconds)
        now = datetime.now(UTC)
        opened = self._book.complete(session, which)
        if opened is None:
            log.warning(
                "complete_processing without start_processing",
                extra={"session_id": session, "stage": which.value},
            )
            user = identifier("user_id", user_id) if user_id is not None else "unknown"
            attempt = max(self._book.last_attempt(session, which), 1)
            started_at = now - timedelta(seconds=duration or 0.0)
        else:
            user = identifier("user_id", user_id) if user_id is not None else opened.user_id
            attempt = opened.attempt
            started_at = opened.started_at
            if duration is None:
                duration = time.monotonic() - opened.started_monotonic
        if error_message is not None and not isinstance(error_message, str):
            raise TypeError(f"error_message must be a str, not {type(error_message).__name__}")
        record = stage_completed(
            source=self._source(),
            session_id=session,
            user_id=user,
            stage=which,
            attempt=attempt,
            started_at=started_at,
            at=now,
            success=success,
            duration_seconds=duration or 0.0,
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
        self._emit("StageCompleted", self.config.pipeline_topic, session, record)

    # -- custom alerts ---------------------------------------------------------------------

    async def create_custom_alert(
        self, alert_type: str, level: AlertLevel | str = AlertLevel.WARNING, **context: Any
    ) -> None:
        """Raise "Custom Alert: <alert_type>". See :meth:`create_custom_alert_sync`."""
        self.create_custom_alert_sync(alert_type, level, **context)

    def create_custom_alert_sync(
        self, alert_type: str, level: AlertLevel | str = AlertLevel.WARNING, **context: Any
    ) -> None:
        """Report a condition of the pipeline's own; the alerter raises it as an alert.

        ``context`` becomes the alert's metadata (flat scalars). Three keywords are taken out
        of it: ``labels`` (a str -> str map telling one instance of the condition from
        another; resolve with the same labels), ``message`` (default: "Custom alert
        triggered: <alert_type>"), and ``session_id``/``user_id`` (link the alert to a
        session). Reporting the same type and labels again while the alert fires does not
        raise a second one.
        """
        labels = label_map(context.pop("labels", None))
        message = context.pop("message", None)
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message must be a str, not {type(message).__name__}")
        session = context.pop("session_id", None)
        user = context.pop("user_id", None)
        self._custom(
            alert_type,
            as_level(level),
            resolved=False,
            labels=labels,
            context=metadata_map(context),
            message=message[:MAX_MESSAGE_LENGTH] if message else None,
            session_id=identifier("session_id", session) if session is not None else None,
            user_id=identifier("user_id", user) if user is not None else None,
        )

    async def resolve_custom_alert(self, alert_type: str, **labels: str) -> None:
        """The condition has cleared. See :meth:`resolve_custom_alert_sync`."""
        self.resolve_custom_alert_sync(alert_type, **labels)

    def resolve_custom_alert_sync(self, alert_type: str, **labels: str) -> None:
        """Resolve the custom alert of ``alert_type`` raised with these ``labels``."""
        self._custom(
            alert_type,
            AlertLevel.INFO,
            resolved=True,
            labels=label_map(labels),
            context={},
            message=None,
            session_id=None,
            user_id=None,
        )

    def _custom(self, alert_type: str, level: AlertLevel, *, resolved: bool, **fields: Any) -> None:
        name = alert_type_name(alert_type)
        record = custom_alert(
            source=self._source(),
            at=datetime.now(UTC),
            alert_type=name,
            level=level.name,
            resolved=resolved,
            **fields,
        )
        self._emit("CustomAlertReported", self.config.alerts_topic, name, record)

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

    # -- lifecycle -------------------------------------------------------------------------

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event so far is sent or spooled; False on timeout."""
        sender = self._sender
        return sender is None or sender.idle.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Send or spool what is queued (within ``timeout``, default ``close_timeout``)."""
        with self._lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.close(self.config.close_timeout if timeout is None else timeout)

    @property
    def counters(self) -> dict[str, int]:
        """Events sent, spooled and dropped (by reason) by the running sender."""
        sender = self._sender
        if sender is None:
            return {}
        c = sender.counters
        return {"sent": c.sent, "spooled": c.spooled, **{f"dropped ({k})": v for k, v in
                c.dropped().items()}}  # fmt: skip

    # -- plumbing --------------------------------------------------------------------------

    def _source(self) -> dict[str, Any]:
        return self._source_of

    def _after_fork(self) -> None:
        """In a forked child: the parent's sender thread is gone; start afresh on demand."""
        self._pid = os.getpid()
        self._source_of = producer(self.config.producer_name, self._host, self._pid)
        self._lock = threading.Lock()
        self._sender = None

    def _emit(self, event: str, topic: str, key: str, record: dict[str, Any]) -> None:
        sender = self._sender
        if sender is None:  # closed, or a forked child
            sender = self._start_sender()
        sender.submit(Outgoing(event_schema(event), topic, key.encode(), record))

    def _start_sender(self) -> Sender:
        with self._lock:
            if self._sender is not None:
                return self._sender
            config = self.config
            self._sender = Sender(
                {
                    "bootstrap.servers": config.bootstrap_servers,
                    "client.id": f"mediawatch-client-{config.producer_name}",
                    "enable.idempotence": True,
                    "acks": "all",
                    "linger.ms": 5,
                    "logger": _LIBRDKAFKA,
                    **config.kafka,
                },
                lambda: Spool.claim(config.spool_dir, config.producer_name, config.spool_max_bytes),
                queue_size=config.queue_size,
                delivery_timeout=config.delivery_timeout,
                retry_interval=config.retry_interval,
            )
            atexit.register(self.close)
            close_on_sigterm(self.close)
            return self._sender
