"""Storage backends for results: a local directory (default) or S3-compatible storage."""

from __future__ import annotations

from mediawatch_transcoder.storage.base import Storage, StorageError
from mediawatch_transcoder.storage.local import LocalStorage
from mediawatch_transcoder.storage.s3 import S3Storage, s3_client, s3_storage
from mediawatch_transcoder.storage.select import storage_from_settings

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "s3_client",
    "s3_storage",
    "storage_from_settings",
]
