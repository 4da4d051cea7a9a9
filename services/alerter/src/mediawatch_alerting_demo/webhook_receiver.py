"""A small local webhook receiver for the demo: records every POST, verifies signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Received:
    """One request as it arrived."""

    path: str
    body: Any
    signature_ok: bool | None
    status: int


class WebhookReceiver:
    """Listens on 127.0.0.1 (a free port); the first ``fail_first`` requests get a 503."""

    def __init__(self, secret: str | None = None, fail_first: int = 0) -> None:
        self.received: list[Received] = []
        self._secret = secret
        self._failures_left = fail_first
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The URL of ``path`` on this receiver."""
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def _record(self, path: str, raw: bytes, headers: Any) -> int:
        with self._lock:
            status = 503 if self._failures_left > 0 else 200
            self._failures_left -= 1
            self.received.append(
                Received(path, json.loads(raw), self._verify(raw, headers), status)
            )
            return status

    def _verify(self, raw: bytes, headers: Any) -> bool | None:
        signature = headers.get("X-Mediawatch-Signature")
        if signature is None or self._secret is None:
            return None
        signed = headers.get("X-Mediawatch-Timestamp", "").encode() + b"." + raw
        digest = hmac.new(self._secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature, f"sha256={digest}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._record(self.path, raw, self.headers)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
