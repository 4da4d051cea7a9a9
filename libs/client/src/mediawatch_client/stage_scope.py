"""A stage measured around a block of code: ``with monitor.stage(...) as s:``."""

from __future__ import annotations

import functools
import inspect
import resource
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import psutil

from mediawatch_client.errors import error_code_for
from mediawatch_client.event_builders import count, metadata_map
from mediawatch_client.vocabulary import ErrorCode, ProcessingStage, as_error_code

if TYPE_CHECKING:
    from mediawatch_client.monitor import MediaMonitor

P = ParamSpec("P")
R = TypeVar("R")

MiB = 1024 * 1024
_RESULTS = frozenset({"file_size_bytes", "input_size_bytes", "video_count"})


class _Usage:
    """CPU time (this process and its waited-for children) and memory at one moment."""

    def __init__(self, process: psutil.Process) -> None:
        times = process.cpu_times()
        self.cpu = times.user + times.system + times.children_user + times.children_system
        self.rss = process.memory_info().rss
        # ru_maxrss is in KiB on Linux: the largest child that has ended so far.
        self.child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        self.wall = time.monotonic()


class StageScope:
    """Emits ``StageStarted`` on entry and ``StageCompleted`` on exit, measured.

    The completion carries the block's duration, the CPU it used (this process and any child,
    such as ffmpeg, that ended inside it) in percent of one core, and the peak memory seen
    (the process at entry and exit, or a child that ended inside the block and grew larger).
    An exception marks the stage failed with :func:`error_code_for` and is re-raised.
    Works with ``with`` and ``async with``.
    """

    def __init__(
        self,
        monitor: MediaMonitor,
        session_id: str,
        user_id: str,
        stage: ProcessingStage,
        metadata: dict[str, Any] | None,
    ) -> None:
        self._monitor = monitor
        self.session_id = session_id
        self.user_id = user_id
        self.stage = stage
        self._metadata = metadata
        self._results: dict[str, Any] = {}
        self._error_code: ErrorCode | None = None
        self._process = psutil.Process()
        self._before: _Usage | None = None

    def set(self, **results: Any) -> None:
        """Add results to the completion: ``file_size_bytes``, ``input_size_bytes``,
        ``video_count``, ``error_code`` (for a failure without an exception), ``metadata``.

        Raises:
            TypeError: An unknown name or a value of the wrong type.
        """
        for name, value in results.items():
            if name in _RESULTS:
                self._results[name] = count(name, value)
            elif name == "error_code":
                self._error_code = as_error_code(value)
            elif name == "metadata":
                self._results["metadata"] = metadata_map(value)
            else:
                raise TypeError(f"unknown stage result {name!r}")

    def __enter__(self) -> StageScope:
        self._monitor.start_processing_sync(
            session_id=self.session_id,
            user_id=self.user_id,
            stage=self.stage,
            metadata=self._metadata,
        )
        self._before = _Usage(self._process)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._complete(exc)

    async def __aenter__(self) -> StageScope:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._complete(exc)

    def _complete(self, exc: BaseException | None) -> None:
        before = self._before
        assert before is not None, "the stage was not entered"
        after = _Usage(self._process)
        wall = max(after.wall - before.wall, 1e-9)
        peak = max(before.rss, after.rss)
        if after.child_peak > before.child_peak:
            peak = max(peak, after.child_peak)
        failed = exc is not None or self._error_code is not None
        code = self._error_code or (error_code_for(exc) if exc is not None else None)
        self._monitor.complete_processing_sync(
            session_id=self.session_id,
            stage=self.stage,
            success=not failed,
            user_id=self.user_id,
            file_size_bytes=self._results.get("file_size_bytes"),
            input_size_bytes=self._results.get("input_size_bytes"),
            video_count=self._results.get("video_count"),
            error_code=code,
            error_message=_message(exc) if exc is not None else None,
            duration_seconds=wall,
            cpu_percent=round(100.0 * max(after.cpu - before.cpu, 0.0) / wall, 2),
            peak_memory_mb=round(peak / MiB, 2),
            metadata=self._results.get("metadata"),
        )


def _message(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def tracked(
    open_stage: Callable[[str, str, ProcessingStage], StageScope], stage: ProcessingStage
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A decorator reporting each call of a function (sync or async) as ``stage``; the
    function's ``session_id`` and ``user_id`` arguments name the session."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)
        for name in ("session_id", "user_id"):
            if name not in signature.parameters:
                raise TypeError(f"{func.__qualname__} has no {name!r} argument to report")

        def scope_for(args: Any, kwargs: Any) -> StageScope:
            bound = signature.bind(*args, **kwargs).arguments
            return open_stage(bound["session_id"], bound["user_id"], stage)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                async with scope_for(args, kwargs):
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with scope_for(args, kwargs):
                return func(*args, **kwargs)

        return run

    return decorate
