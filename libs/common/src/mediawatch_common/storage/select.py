"""Build the configured storage backend."""

from __future__ import annotations

from mediawatch_common.storage.base import Storage
from mediawatch_common.storage.local import LocalStorage
from mediawatch_common.storage.s3 import s3_storage
from mediawatch_common.storage.settings import StorageSettings


def storage_from_settings(settings: StorageSettings) -> Storage:
    """``TRANSCODER_STORAGE_BACKEND``: the local directory (default) or an S3 bucket."""
    if settings.storage_backend == "s3":
        return s3_storage(settings)
    return LocalStorage(settings.storage_dir)
