"""What the pipeline needs from a storage backend."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class StorageError(RuntimeError):
    """The backend could not store or read an object."""


class Storage(Protocol):
    """Stores results under keys such as ``sessions/<id>/merged.mp4``."""

    def put_file(self, source: Path, key: str, content_type: str) -> str:
        """Store a local file; return the stored object's URI."""
        ...

    def put_bytes(self, data: bytes, key: str, content_type: str) -> str:
        """Store bytes; return the stored object's URI."""
        ...

    def get_bytes(self, key: str) -> bytes:
        """The bytes stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under ``key`` (no error when it is already gone)."""
        ...

    def fetch(self, uri: str, target: Path) -> bool:
        """Copy the object at ``uri`` to ``target`` if ``uri`` is one of this backend's."""
        ...
