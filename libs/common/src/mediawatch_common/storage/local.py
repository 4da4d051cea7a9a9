"""The default backend: files under a local directory, written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from mediawatch_common.storage.base import StorageError

Writer = Callable[[IO[bytes]], Any]


class LocalStorage:
    """Objects are files under ``root``; a half-written file is never visible."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"key {key!r} leaves the storage root")
        return path

    def _write(self, key: str, write: Writer) -> str:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                write(out)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(f"cannot write {path}: {exc}") from exc
        return path.as_uri()

    def put_file(self, source: Path, key: str, content_type: str) -> str:
        """Copy ``source`` to ``root/key``."""
        with source.open("rb") as src:
            return self._write(key, lambda out: shutil.copyfileobj(src, out, 1024 * 1024))

    def put_bytes(self, data: bytes, key: str, content_type: str) -> str:
        """Write ``data`` to ``root/key``."""
        return self._write(key, lambda out: out.write(data))

    def get_bytes(self, key: str) -> bytes:
        """The content of ``root/key``."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc}") from exc

    def delete(self, key: str) -> None:
        """Remove ``root/key`` if it exists."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {path}: {exc}") from exc

    def fetch(self, uri: str, target: Path) -> bool:
        """Local inputs are read straight from their path, never through the backend."""
        return False
