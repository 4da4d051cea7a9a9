"""A real HTTP receiver on 127.0.0.1 that answers from a script and records every request."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What to answer: status, headers, and a delay before answering (a hanging sink)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


Judge = Callable[[str, bytes], int | None]
"""Looks at a request (path, body): a status to answer instead of the script's, or None."""


class Receiver:
    """Per path, replies follow the script, then 200 for ever; a judge may answer instead."""

    def __init__(self, judge: Judge | None = None) -> None:
        self.requests: list[Received] = []
        self._scripts: dict[str, list[Reply]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                reply = receiver._next(self.path)
                verdict = judge(self.path, body) if judge is not None else None
                if verdict is not None:
                    reply = Reply(verdict)
                if reply.delay:
                    receiver._stop.wait(reply.delay)
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            self.path, dict(self.headers), body, time.monotonic(), reply.status
                        )
                    )
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        self._scripts[path].extend(replies)

    def at(self, path: str, status: int | None = None) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path == path and (status is None or r.status == status)
            ]

    def _next(self, path: str) -> Reply:
        with self._lock:
            script = self._scripts[path]
            return script.pop(0) if script else Reply()

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
