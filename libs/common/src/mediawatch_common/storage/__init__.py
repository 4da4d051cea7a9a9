"""Storage backends for results: a local directory (default) or S3-compatible storage."""

from __future__ import annotations

from mediawatch_common.storage.base import Storage, StorageError
from mediawatch_common.storage.local import LocalStorage
from mediawatch_common.storage.s3 import S3Storage, s3_client, s3_storage, split_s3_uri
from mediawatch_common.storage.select import storage_from_settings
from mediawatch_common.storage.settings import StorageSettings

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageSettings",
    "s3_client",
    "s3_storage",
    "split_s3_uri",
    "storage_from_settings",
]
