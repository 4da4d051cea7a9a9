"""The seven stages, in pipeline order; each is ``run(ctx, state) -> StageReport``."""

from __future__ import annotations

from collections.abc import Callable

from mediawatch_common.events import Stage
from mediawatch_transcoder.stages import (
    analysis,
    cleanup,
    compression,
    merging,
    preparation,
    storage,
    upload,
)
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport, Usage

StageFunction = Callable[[StageContext, SessionState], StageReport]

PIPELINE: tuple[tuple[Stage, StageFunction], ...] = (
    (Stage.UPLOAD, upload.run),
    (Stage.ANALYSIS, analysis.run),
    (Stage.PREPARATION, preparation.run),
    (Stage.MERGING, merging.run),
    (Stage.COMPRESSION, compression.run),
    (Stage.STORAGE_UPLOAD, storage.run),
)
"""The stages that stop at the first failure; CLEANUP runs after them in every case."""

CLEANUP: StageFunction = cleanup.run

__all__ = [
    "CLEANUP",
    "PIPELINE",
    "SessionState",
    "StageContext",
    "StageFunction",
    "StageReport",
    "Usage",
]
