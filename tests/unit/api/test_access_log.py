"""The access log: one entry per HTTP request with the status sent, written in batches."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from mediawatch_api.web.access import AccessFile, AccessLog, Entry, access_line

pytestmark = pytest.mark.unit


async def _app(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"] == "/boom":
        raise RuntimeError("failed before answering")
    await send({"type": "http.response.start", "status": 429, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _serve(wrapped: AccessLog, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request"}

    asyncio.run(wrapped(scope, receive, send))  # type: ignore[arg-type]
    return sent


def _scope(path: str) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "client": ("10.1.2.3", 5555)}


def test_each_request_gives_one_entry_with_the_status_it_was_answered() -> None:
    entries: list[Entry] = []
    clock = iter([1.0, 1.25, 2.0, 2.5])
    app = AccessLog(_app, entries.append, clock=lambda: next(clock), wall=lambda: 1e9)
    sent = _serve(app, _scope("/api/v1/monitoring/stats"))
    with pytest.raises(RuntimeError):
        _serve(app, _scope("/boom"))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert entries == [
        (1e9, "GET", "/api/v1/monitoring/stats", 429, 250.0, "10.1.2.3"),
        (1e9, "GET", "/boom", 500, 500.0, "10.1.2.3"),
    ]


def test_other_scopes_pass_through_without_an_entry() -> None:
    entries: list[Entry] = []
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    _serve(AccessLog(app, entries.append), {"type": "lifespan"})
    assert seen == ["lifespan"]
    assert entries == []


def test_a_line_is_compact_json() -> None:
    line = access_line((1_700_000_000.5, "POST", "/api/v1/auth/login", 401, 3.25, None))
    assert line.endswith("\n")
    assert json.loads(line) == {
        "timestamp": "2023-11-14T22:13:20.500Z",
        "method": "POST",
        "path": "/api/v1/auth/login",
        "status": 401,
        "ms": 3.25,
        "client": None,
    }


def test_the_file_gets_every_entry_and_rotates(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    writer = AccessFile(path, max_bytes=1000, backups=2, interval=0.01).start()
    for i in range(30):
        writer.add((1e9 + i, "GET", f"/p/{i}", 200, 1.0, "127.0.0.1"))
    writer.stop()
    files = [path, path.with_name("access.log.1"), path.with_name("access.log.2")]
    lines = [ln for f in files if f.exists() for ln in f.read_text().splitlines()]
    assert path.with_name("access.log.1").exists()
    assert all(f.stat().st_size <= 1000 for f in files if f.exists())
    assert {json.loads(ln)["path"] for ln in lines} <= {f"/p/{i}" for i in range(30)}
    assert f"/p/{29}" in {json.loads(ln)["path"] for ln in path.read_text().splitlines()}
