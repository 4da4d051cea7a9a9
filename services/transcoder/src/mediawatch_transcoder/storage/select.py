"""Build the configured storage backend."""

from __future__ import annotations

from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.storage.base import Storage
from mediawatch_transcoder.storage.local import LocalStorage


def storage_from_settings(settings: TranscoderSettings) -> Storage:
    """The local directory backend under ``TRANSCODER_STORAGE_DIR``."""
    return LocalStorage(settings.storage_dir)
