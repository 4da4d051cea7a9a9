"""A small TCP proxy of our own (asyncio, 127.0.0.1 only) that injects network faults.

Modes, switched at any time from the test's thread:

- ``pass``: bytes go through unchanged;
- ``latency``: every chunk is delivered ``delay`` seconds after it was read, in order;
- ``reset``: every open connection is reset (RST, as a crashed peer or a middlebox would),
  and new connections are reset as soon as they are accepted;
- ``blackhole``: connections stay open but nothing goes through either way; a connection
  that went through a black hole stays one (its stream lost bytes), new connections made after
  the mode changed back pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    holed: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Proxy:
    """Listens on ``127.0.0.1:listen_port`` and forwards to ``127.0.0.1:target_port``."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self.mode = "pass"
        self.delay = 0.0
        self.accepted = 0
        self.resets = 0
        self._links: set[_Link] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # ------------------------------------------------------------------ control (any thread)
    def start(self) -> Proxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def pass_through(self) -> None:
        self.mode, self.delay = "pass", 0.0

    def latency(self, seconds: float) -> None:
        self.mode, self.delay = "latency", seconds

    def reset(self) -> None:
        """Reset every open connection and every new one until the mode changes."""
        self.mode = "reset"
        asyncio.run_coroutine_threadsafe(self._reset_all(), self._loop).result(10)

    def blackhole(self) -> None:
        self.mode = "blackhole"
        for link in list(self._links):
            link.holed = True

    @property
    def open_connections(self) -> int:
        return len(self._links)

    # ------------------------------------------------------------------ the loop's side
    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, self.listen_port)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        await self._reset_all()

    async def _reset_all(self) -> None:
        for link in list(self._links):
            self._abort(link)

    def _abort(self, link: _Link) -> None:
        for writer in (link.client, link.server):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        for task in link.tasks:
            task.cancel()
        if link in self._links:
            self._links.discard(link)
            self.resets += 1

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode == "reset":
            sock = writer.get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            self.resets += 1
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(LOOPBACK, self.target_port), timeout=5
            )
        except (OSError, TimeoutError):
            writer.transport.abort()
            return
        link = _Link(writer, up_writer, holed=self.mode == "blackhole")
        self._links.add(link)
        link.tasks = [
            asyncio.create_task(self._pump(link, reader, up_writer)),
            asyncio.create_task(self._pump(link, up_reader, writer)),
        ]
        await asyncio.gather(*link.tasks, return_exceptions=True)
        if link in self._links:
            self._links.discard(link)
            for w in (writer, up_writer):
                w.close()

    async def _pump(
        self, link: _Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, writer))
        try:
            while chunk := await reader.read(65536):
                if link.holed or self.mode == "blackhole":
                    link.holed = True
                    continue  # swallowed: this stream is broken for good
                due = time.monotonic() + (self.delay if self.mode == "latency" else 0.0)
                await queue.put((due, chunk))
            await queue.put((0.0, b""))  # end of stream: send what is queued, then close
            await asyncio.wait_for(asyncio.shield(sender), timeout=30)
        except (ConnectionError, OSError, TimeoutError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()

    @staticmethod
    async def _send(
        queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        while True:
            due, chunk = await queue.get()
            if not chunk:
                return
            try:
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()
            except (ConnectionError, OSError):
                return
