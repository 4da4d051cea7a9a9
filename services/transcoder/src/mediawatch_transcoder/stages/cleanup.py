"""CLEANUP: remove the session workspace, whatever happened before."""

from __future__ import annotations

import shutil

from mediawatch_common.events import ErrorCode
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.workspace import tree_bytes


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Delete the workspace; fail with CLEANUP_FAILED if anything of it is left."""
    freed = tree_bytes(ctx.workspace)
    errors: list[str] = []
    shutil.rmtree(ctx.workspace, onerror=lambda _f, path, exc: errors.append(f"{path}: {exc[1]}"))
    if ctx.workspace.exists():
        detail = "; ".join(errors[:3]) or "still present"
        raise StageError(ErrorCode.CLEANUP_FAILED, f"workspace not removed: {detail}")
    return StageReport(input_size_bytes=freed, output_size_bytes=0, video_count=len(state.clips))
