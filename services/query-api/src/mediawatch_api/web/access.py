"""The access log: one JSON line per HTTP request in ``access.log``, written off the request path.

Every answer is logged (401s, 404s and 429s included) with the time, method, path (no query
string or headers), status, milliseconds and client address. A request only queues a tuple; a
thread writes the queue in batches, rotating the file like the other logs, which costs a
request far less than going through ``logging`` (docs/api.md, "Serving and speed").
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mediawatch_common.periodic import Periodic

Entry = tuple[float, str, str, int, float, str | None]
"""(epoch seconds, method, path, status, milliseconds, client address)."""


def access_line(entry: Entry) -> str:
    """One JSON line for ``entry``."""
    at, method, path, status, ms, client = entry
    stamp = datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
    fields = {"timestamp": stamp.replace("+00:00", "Z"), "method": method, "path": path,
              "status": status, "ms": ms, "client": client}  # fmt: skip
    return json.dumps(fields, separators=(",", ":")) + "\n"


class AccessFile:
    """Appends access entries to a rotating file in batches, from its own thread."""

    def __init__(self, path: Path, max_bytes: int, backups: int, interval: float = 0.25) -> None:
        self._entries: queue.SimpleQueue[Entry] = queue.SimpleQueue()
        self._file = RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        self._writing = Periodic(self.flush, interval, "access-log")

    def add(self, entry: Entry) -> None:
        """Queue one entry (called per request: no I/O, no formatting)."""
        self._entries.put(entry)

    def start(self) -> AccessFile:
        """Start the writer thread."""
        self._writing.start()
        return self

    def stop(self) -> None:
        """Write what is queued and close the file."""
        self._writing.stop()
        self.flush()
        self._file.close()

    def flush(self) -> None:
        """Write every queued entry now."""
        lines = []
        while True:
            try:
                lines.append(access_line(self._entries.get_nowait()))
            except queue.Empty:
                break
        if lines:
            self._write(lines)

    def _write(self, lines: list[str]) -> None:
        # One write per file; the lines are ASCII (json.dumps escapes the rest), so their
        # lengths are bytes.
        limit, size = self._file.maxBytes, self._stream().tell()
        chunk: list[str] = []
        for line in lines:
            if limit and size + len(line) > limit and (size or chunk):
                self._stream().write("".join(chunk))
                self._file.doRollover()
                size, chunk = 0, []
            chunk.append(line)
            size += len(line)
        self._stream().write("".join(chunk))
        self._stream().flush()

    def _stream(self) -> TextIO:
        stream = self._file.stream
        assert stream is not None, "opened at construction and reopened by every rollover"
        return stream


class AccessLog:
    """ASGI wrapper giving ``add`` one entry per HTTP request once it has been answered."""

    def __init__(
        self,
        app: ASGIApp,
        add: Callable[[Entry], None],
        clock: Callable[[], float] = time.perf_counter,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.add = add
        self.clock = clock
        self.wall = wall

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the status it is answered with."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500  # what the server answers when the app fails before it starts a response

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            client = scope.get("client")
            ms = round(1000 * (self.clock() - started), 2)
            host = client[0] if client else None
            self.add((self.wall(), scope["method"], scope["path"], status, ms, host))
