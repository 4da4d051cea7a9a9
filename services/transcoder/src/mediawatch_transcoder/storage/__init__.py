"""Storage backends for results: a local directory (default) or S3-compatible storage."""

from __future__ import annotations

from mediawatch_transcoder.storage.base import Storage, StorageError
from mediawatch_transcoder.storage.local import LocalStorage
from mediawatch_transcoder.storage.select import storage_from_settings

__all__ = ["LocalStorage", "Storage", "StorageError", "storage_from_settings"]
