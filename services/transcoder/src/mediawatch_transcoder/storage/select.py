"""Build the configured storage backend."""

from __future__ import annotations

from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.storage.base import Storage
from mediawatch_transcoder.storage.local import LocalStorage
from mediawatch_transcoder.storage.s3 import s3_storage


def storage_from_settings(settings: TranscoderSettings) -> Storage:
    """``TRANSCODER_STORAGE_BACKEND``: the local directory (default) or an S3 bucket."""
    if settings.storage_backend == "s3":
        return s3_storage(settings)
    return LocalStorage(settings.storage_dir)
