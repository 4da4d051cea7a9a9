"""An upload service that merges clips with ffmpeg, reporting each stage to Mediawatch."""

from __future__ import annotations

from upload_service.app import create_app
from upload_service.pipeline import MergeFailedError, Pipeline

__all__ = ["MergeFailedError", "Pipeline", "create_app"]
